package dev.caravan.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accept-Encoding negotiation, media type lists, and the gzip coder's framing on its own. */
class NegotiationTest {

    private static final List<String> OFFERED = List.of("br", "gzip");

    @Test
    void qValuesAndWildcards() {
        assertEquals("br", AcceptEncoding.parse("gzip, br").choose(OFFERED), "a tie goes to the server's order");
        assertEquals("gzip", AcceptEncoding.parse("br;q=0.8, gzip").choose(OFFERED));
        assertEquals("gzip", AcceptEncoding.parse("x-gzip").choose(OFFERED));
        assertEquals("br", AcceptEncoding.parse("*").choose(OFFERED));
        assertEquals("gzip", AcceptEncoding.parse("*;q=0.5, br;q=0").choose(OFFERED));
        assertNull(AcceptEncoding.parse("gzip;q=0").choose(OFFERED));
        assertNull(AcceptEncoding.parse("identity;q=1, gzip;q=0.5").choose(OFFERED), "identity preferred outright");
        assertNull(AcceptEncoding.parse(null).choose(OFFERED));
        assertFalse(AcceptEncoding.parse(null).accepts("gzip"));
        assertTrue(AcceptEncoding.parse(null).accepts(null));
        assertFalse(AcceptEncoding.parse("gzip;q=bad").accepts("gzip"));
        assertEquals(AcceptEncoding.parse("gzip, deflate").acceptedAmong(List.of("br", "deflate", "gzip")),
                AcceptEncoding.parse("deflate;q=0.5, gzip").acceptedAmong(List.of("br", "deflate", "gzip")));
        assertEquals(AcceptEncoding.parse(null).acceptedAmong(OFFERED),
                AcceptEncoding.parse("identity").acceptedAmong(OFFERED));
    }

    @Test
    void mediaTypeLists() {
        ContentTypes types = new ContentTypes("text/*, application/json, application/*+xml");
        assertTrue(types.matches("text/html; charset=utf-8"));
        assertTrue(types.matches("Application/JSON"));
        assertTrue(types.matches("application/atom+xml"));
        assertFalse(types.matches("application/jsonx"));
        assertFalse(types.matches("image/svg+xml"));
        assertFalse(types.matches(null));
    }

    @Test
    void gzipPiecesWithSyncFlushesMakeOneValidStream() throws Exception {
        GzipEncoder gzip = new GzipEncoder(6);
        ByteArrayOutputStream coded = new ByteArrayOutputStream();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            byte[] piece = ("piece " + i + " ").repeat(100).getBytes();
            plain.write(piece);
            ByteBuf in = UnpooledByteBufAllocator.DEFAULT.heapBuffer().writeBytes(piece);
            drain(gzip.encode(in, UnpooledByteBufAllocator.DEFAULT), coded);
            in.release();
            if (i % 7 == 0) {
                drain(gzip.flush(UnpooledByteBufAllocator.DEFAULT), coded);
            }
        }
        drain(gzip.finish(UnpooledByteBufAllocator.DEFAULT), coded);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(coded.toByteArray()))) {
            assertArrayEquals(plain.toByteArray(), in.readAllBytes());
        }
    }

    private static void drain(ByteBuf buf, ByteArrayOutputStream out) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        out.writeBytes(bytes);
    }
}
