package dev.caravan.h2;

import dev.caravan.testing.H2Client;
import dev.caravan.testing.RawH2;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The well-known HTTP/2 attacks and downgrade smuggling attempts, as raw frame sequences against a real gateway. For
 * each: what the client gets (RST_STREAM, GOAWAY, a closed connection), that nothing of it reached the backend, and
 * that a sentinel request on a new connection is then served (the gateway is fine).
 */
class Http2AttacksTest {

    private static final int PROTOCOL_ERROR = 0x1, ENHANCE_YOUR_CALM = 0xb;
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
        gateway = RunningGateway.startWithCopies(java.nio.file.Files.createTempDirectory("h2-routes"), Map.of(
                "app.backend", backend.url(),
                "caravan.http.h2c", "true",
                "caravan.tls.certs", java.nio.file.Files.createTempDirectory("h2-certs").toString()),
                Path.of("docs/examples/http2.yaml"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers(false).method(method).path(path).scheme("http").authority("h2.test");
    }

    /** Nothing named {@code marker} reached the backend, and a sentinel on a new connection is served. */
    private static void nothingForwardedAndStillServing(String marker) throws Exception {
        try (H2Client client = new H2Client(gateway.port())) {
            H2Client.Stream sentinel = client.get("/sentinel-after-" + marker, true);
            assertEquals(200, sentinel.status());
            sentinel.bodyText();
        }
        for (HttpRequest seen : backend.requests()) {
            assertFalse(seen.uri().startsWith("/" + marker), "reached the backend: " + seen.uri());
            assertFalse(seen.uri().contains("smuggled"), "smuggled: " + seen.uri());
        }
        assertFalse(backend.rawBytes().contains("/smuggled"), "smuggled bytes reached the backend");
        assertTrue(backend.requests().stream().anyMatch(r -> r.uri().equals("/sentinel-after-" + marker)));
    }

    @Test
    void rapidResetEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int stream = 1; stream < 2 * 1000; stream += 2) {
                byte[] block = h2.block(stream, request("GET", "/rapid-reset/" + stream));
                flood.write(RawH2.header(block.length, RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, stream));
                flood.write(block);
                flood.write(RawH2.header(4, RawH2.RST_STREAM, 0, stream));
                flood.write(new byte[] {0, 0, 0, 8}); // CANCEL
            }
            try {
                h2.frames(flood.toByteArray());
            } catch (java.io.IOException closedWhileWriting) {
                // the gateway may hang up before the whole flood is written
            }
            assertEquals(ENHANCE_YOUR_CALM, h2.goAwayCodeBeforeClose());
        }
        assertTrue(backend.requests().stream().filter(r -> r.uri().startsWith("/rapid-reset/")).count() <= 200,
                "at most the allowed resets' worth of streams got anywhere");
        nothingForwardedAndStillServing("never-sent");
    }

    @Test
    void aContinuationFloodIsCutAtTheHeaderListSize() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            byte[] block = h2.block(1, request("GET", "/continuation"));
            h2.frame(RawH2.HEADERS, 0, 1, block); // no END_HEADERS: CONTINUATION frames must follow
            byte[] filler = h2.block(1, new DefaultHttp2Headers(false).add("x-filler", "f".repeat(4000)));
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 2000; i++) {
                flood.write(RawH2.header(filler.length, RawH2.CONTINUATION, 0, 1));
                flood.write(filler);
            }
            try {
                h2.frames(flood.toByteArray());
            } catch (java.io.IOException closedWhileWriting) {
                // expected: the gateway stops reading and closes long before 8 MB of headers
            }
            assertNotNull(h2.goAwayCodeBeforeClose(), "GOAWAY before the close");
        }
        nothingForwardedAndStillServing("continuation");
    }

    @Test
    void emptyContinuationFramesCannotKeepAStreamOpening() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            h2.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, h2.block(1, request("GET", "/empty-continuation")));
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 100_000; i++) {
                flood.write(RawH2.header(0, RawH2.CONTINUATION, 0, 1));
            }
            // either the flood is refused (the connection closed, seen while writing or reading), or it costs
            // nothing and the stream simply never starts
            try {
                h2.frames(flood.toByteArray());
                h2.frame(RawH2.CONTINUATION, RawH2.END_HEADERS, 1, new byte[0]);
            } catch (java.io.IOException closedWhileWriting) {
                // refused
            }
            RawH2.Response answer;
            try {
                answer = h2.response(1);
            } catch (java.io.IOException resetWhileReading) {
                answer = null; // refused, with frames of the flood still unread on the gateway's side
            }
            assertTrue(answer == null || answer.resetCode() == -2 || answer.status() == 200, "answer: " + answer);
        }
        nothingForwardedAndStillServing("never-sent-either");
    }

    @Test
    void anHpackBombIsRefusedWhileDecoding() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            // one 4000-byte field goes into the dynamic table, then one header block refers to it 1,000 times:
            // 8 bytes on the wire decode to 4 MB
            Http2Headers bomb = request("GET", "/hpack-bomb");
            for (int i = 0; i < 1000; i++) {
                bomb.add("x-bomb", "b".repeat(4000));
            }
            h2.headers(1, bomb, true);
            RawH2.Response answer = h2.response(1);
            // Netty answers a header list over the limit with 431 (or a reset once it cannot), never a request
            assertTrue(answer.status() == 431 || answer.resetCode() > 0, "answer: " + answer);
        }
        nothingForwardedAndStillServing("hpack-bomb");
    }

    @Test
    void aSettingsFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            byte[] settings = RawH2.header(0, RawH2.SETTINGS, 0, 0);
            byte[] burst = new byte[settings.length * 10_000];
            for (int i = 0; i < 10_000; i++) {
                System.arraycopy(settings, 0, burst, i * settings.length, settings.length);
            }
            boolean cut = false;
            for (int round = 0; round < 200 && !cut; round++) {
                try {
                    h2.frames(burst); // never reading the acks
                } catch (java.io.IOException closed) {
                    cut = true;
                }
            }
            assertTrue(cut, "the gateway closed the connection of a client that never reads its SETTINGS acks");
        }
        nothingForwardedAndStillServing("settings");
    }

    @Test
    void emptyDataFramesEndTheConnection() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            h2.headers(1, request("POST", "/empty-data"), false);
            for (int i = 0; i < 10; i++) {
                h2.data(1, new byte[0], false);
            }
            assertEquals(ENHANCE_YOUR_CALM, h2.goAwayCodeBeforeClose());
        }
    }

    @Test
    void aContentLengthSmallerThanTheDataIsAStreamErrorAndNothingIsSmuggled() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            // both frames in one write, as an attacker sends them: written one by one, a busy machine could let the
            // backend answer the empty request before the DATA frame arrived, and then there is no stream to reset
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            byte[] block = h2.block(1, request("POST", "/h2cl-short").set("content-length", "0"));
            frames.write(RawH2.header(block.length, RawH2.HEADERS, RawH2.END_HEADERS, 1));
            frames.write(block);
            byte[] smuggled = SMUGGLED.getBytes(StandardCharsets.ISO_8859_1);
            frames.write(RawH2.header(smuggled.length, RawH2.DATA, RawH2.END_STREAM, 1));
            frames.write(smuggled);
            h2.frames(frames.toByteArray());
            assertEquals(PROTOCOL_ERROR, h2.response(1).resetCode());
        }
        nothingForwardedAndStillServing("never-this");
    }

    @Test
    void aContentLengthLargerThanTheDataIsAStreamError() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            h2.headers(1, request("POST", "/h2cl-long").set("content-length", "100"), false);
            h2.data(1, "short".getBytes(StandardCharsets.ISO_8859_1), true);
            assertEquals(PROTOCOL_ERROR, h2.response(1).resetCode());
        }
        // the backend may have seen the head, but never a complete request: its body was cut, its connection closed
        for (HttpRequest seen : backend.requests()) {
            if (seen.uri().equals("/h2cl-long")) {
                assertEquals("100", seen.headers().get("Content-Length"));
            }
        }
        nothingForwardedAndStillServing("h2cl-long-not-completed");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "transfer-encoding: chunked",
        "connection: keep-alive",
        "keep-alive: timeout=5",
        "proxy-connection: keep-alive",
        "upgrade: websocket",
        "te: gzip",
        "x-crlf: a\r\nTransfer-Encoding: chunked",
        "x-lf: a\nx-injected: 1",
        "x-nul: a\0b",
        "x-edge:  padded",
        "host: other.example",
        ":path: /twice",
        ":status: 200",
        ":protocol: websocket",
    })
    void aHeaderThatMustNotBeDowngradedResetsTheStream(String field) throws Exception {
        int colon = field.indexOf(':', 1);
        String name = field.substring(0, colon);
        String value = field.substring(colon + 2 > field.length() ? field.length() : colon + 1).replaceFirst("^ ", "");
        if (name.equals("x-edge")) {
            value = " padded";
        }
        String marker = "bad-" + name.replace(":", "");
        try (RawH2 h2 = new RawH2(gateway.port())) {
            Http2Headers headers = request("POST", "/" + marker);
            headers.add(name, value);
            h2.headers(1, headers, false);
            h2.data(1, SMUGGLED.getBytes(StandardCharsets.ISO_8859_1), true);
            RawH2.Response answer = h2.response(1);
            assertTrue(answer.resetCode() == PROTOCOL_ERROR || answer.resetCode() == -2, "answer: " + answer);
            assertEquals(0, answer.status());
        }
        nothingForwardedAndStillServing(marker);
    }

    @Test
    void anUpperCaseNameResetsTheStream() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            h2.headers(1, request("GET", "/upper-case").add("X-Upper", "1"), true);
            assertEquals(PROTOCOL_ERROR, h2.response(1).resetCode());
        }
        nothingForwardedAndStillServing("upper-case");
    }

    @Test
    void missingPseudoHeadersResetTheStream() throws Exception {
        try (RawH2 h2 = new RawH2(gateway.port())) {
            h2.headers(1, new DefaultHttp2Headers(false).method("GET").authority("h2.test").scheme("http"), true);
            assertEquals(PROTOCOL_ERROR, h2.response(1).resetCode());
            // te: trailers is the one TE value allowed, and is not a reason to refuse
            h2.headers(3, request("GET", "/te-trailers").add("te", "trailers"), true);
            assertEquals(200, h2.response(3).status());
        }
    }
}
