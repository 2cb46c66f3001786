package dev.caravan.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The header checks every forwarded head goes through, on each kind of value a header map holds. */
class MessageHeadersTest {

    @Test
    void crLfAndNulAreRefusedInStringsAndAsciiStrings() {
        for (String bad : List.of("a\rb", "a\nb", "a\0b", "\r", "end\n")) {
            assertFalse(MessageHeaders.isSafeValue(bad), bad);
            assertFalse(MessageHeaders.isSafeValue(new AsciiString(bad)), bad);
            assertFalse(MessageHeaders.isSafeValue(new StringBuilder(bad)), bad);
        }
        for (String good : List.of("", "text/html; q=0.9", "a\tb", "caf\u00e9", "x".repeat(4096))) {
            assertTrue(MessageHeaders.isSafeValue(good), good);
            assertTrue(MessageHeaders.isSafeValue(new AsciiString(good)), good);
        }
    }

    @Test
    void aHeadWithOneUnsafeValueIsRefusedNamingTheField() {
        HttpHeaders headers = new DefaultHttpHeaders(false); // as the outgoing request's map: no validation of its own
        headers.add("Accept", "*/*");
        headers.add(AsciiString.cached("X-Ok"), new AsciiString("fine"));
        assertDoesNotThrow(() -> MessageHeaders.requireSafeValues(headers));
        headers.add("X-Injected", "1\r\nX-Evil: 2");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> MessageHeaders.requireSafeValues(headers));
        assertTrue(refused.getMessage().contains("X-Injected"), refused.getMessage());
    }

    @Test
    void connectionTokensOfOneValueAndOfLists() {
        HttpHeaders headers = new DefaultHttpHeaders(false); // a route may leave spaces the decoder would not
        assertEquals(List.of(), HopByHopHeaders.connectionTokens(headers));
        headers.set("Connection", "keep-alive");
        assertEquals(List.of("keep-alive"), HopByHopHeaders.connectionTokens(headers));
        headers.set("Connection", " X-Trace ");
        assertEquals(List.of("X-Trace"), HopByHopHeaders.connectionTokens(headers));
        // the framing headers and Host are never made hop-by-hop, however they are spelled
        headers.set("Connection", "Content-Length");
        assertEquals(List.of(), HopByHopHeaders.connectionTokens(headers));
        headers.set("Connection", "close, TRANSFER-ENCODING, x-a,, host");
        assertEquals(List.of("close", "x-a"), HopByHopHeaders.connectionTokens(headers));
        headers.set("Connection", "x-b");
        headers.add("Connection", "x-c");
        assertEquals(List.of("x-b", "x-c"), HopByHopHeaders.connectionTokens(headers));
    }
}
