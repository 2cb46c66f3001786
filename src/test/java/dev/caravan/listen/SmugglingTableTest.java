package dev.caravan.listen;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and smuggling-prone requests, and their obfuscated variants, against a backend that records every byte it
 * receives. Each is answered 4xx/5xx and closed with nothing of it (or of what follows it) reaching the backend, or is
 * forwarded as exactly one clean request. A sentinel request after each case proves the backend had seen everything
 * the case could have sent it.
 */
class SmugglingTableTest {

    @TempDir
    static Path temp;
    private static TestBackend backend;
    private static RunningGateway gateway;
    private static final AtomicInteger sentinels = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("rec");
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("all.yaml"), """
                - route:
                    id: all
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """);
        gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

    /** Name, raw bytes, status; the bytes "EVIL" and "/smuggled" must never reach the backend. */
    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("NUL in target", "GET /x\u0000EVIL HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("CTL in target", "GET /x\u0001EVIL HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("DEL in target", "GET /x\u007fEVIL HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                // header values reach backends as the decoder left them (HttpBinding.toBackend does not scan them again)
                Arguments.of("NUL in a header value", "GET /EVIL HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\n\r\n", 400),
                Arguments.of("CTL in a header value", "GET /EVIL HTTP/1.1\r\nHost: a\r\nX-A: a\u0001b\r\n\r\n", 400),
                Arguments.of("bare CR in a header value", "GET /EVIL HTTP/1.1\r\nHost: a\r\nX-A: a\rX-B: b\r\n\r\n",
                        400),
                Arguments.of("TE and CL", "POST /EVIL HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400),
                Arguments.of("CL and TE, other order", "POST /EVIL HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 4\r\n\r\n0\r\n\r\n" + SMUGGLED, 400),
                Arguments.of("CL and TE with another coding before chunked", "POST /EVIL HTTP/1.1\r\nHost: a\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + SMUGGLED, 400),
                Arguments.of("two different Content-Lengths", "POST /EVIL HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
                        + "Content-Length: 37\r\n\r\n" + SMUGGLED, 400),
                Arguments.of("Content-Length not a number", "POST /EVIL HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\n",
                        400),
                Arguments.of("negative Content-Length", "POST /EVIL HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
                Arguments.of("TE list ending in chunked", "POST /EVIL HTTP/1.1\r\nHost: a\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("TE twice", "POST /EVIL HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("TE xchunked", "POST /EVIL HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 501),
                Arguments.of("TE in HTTP/1.0", "POST /EVIL HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\n", 400),
                Arguments.of("obs-fold", "GET /EVIL HTTP/1.1\r\nHost: a\r\nX-A: a\r\n b\r\n\r\n", 400),
                Arguments.of("obs-fold with a tab", "GET /EVIL HTTP/1.1\r\nHost: a\r\nX-A: a\r\n\tTransfer-Encoding: chunked"
                        + "\r\n\r\n", 400),
                Arguments.of("bare LF in the head", "GET /EVIL HTTP/1.1\nHost: a\n\n", 400),
                Arguments.of("space before the colon", "GET /EVIL HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n", 400),
                Arguments.of("no Host (1.1)", "GET /EVIL HTTP/1.1\r\n\r\n", 400),
                Arguments.of("two Hosts (1.1)", "GET /EVIL HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("two Hosts (1.0)", "GET /EVIL HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("Host with a fragment", "GET /EVIL HTTP/1.1\r\nHost: evil.com#\r\n\r\n", 400),
                Arguments.of("Host with userinfo", "GET /EVIL HTTP/1.1\r\nHost: good.com@evil.com\r\n\r\n", 400),
                Arguments.of("Host with a path", "GET /EVIL HTTP/1.1\r\nHost: evil.com/x?\r\n\r\n", 400),
                Arguments.of("Host with a bad port", "GET /EVIL HTTP/1.1\r\nHost: a:80x\r\n\r\n", 400),
                Arguments.of("CONNECT", "CONNECT EVIL:443 HTTP/1.1\r\nHost: EVIL:443\r\n\r\n", 501),
                Arguments.of("too many headers", "GET /EVIL HTTP/1.1\r\nHost: a\r\n" + "X-H: 1\r\n".repeat(150) + "\r\n",
                        431));
    }

    /** Malformed only in the body: the head may already be on its way to the backend, the bad part never is. */
    static Stream<Arguments> refusedInTheBody() {
        return Stream.of(
                Arguments.of("chunk size wrapping 32 bits", "100000005\r\nEVIL!\r\n0\r\n\r\n"),
                Arguments.of("chunk size wrapping 64 bits", "10000000000000005\r\nEVIL!\r\n0\r\n\r\n"),
                Arguments.of("chunk size with leading zeros, too large", "000000100000005\r\nEVIL!\r\n0\r\n\r\n"),
                Arguments.of("chunk line ending in a bare LF", "5\nEVIL!\r\n0\r\n\r\n"),
                Arguments.of("chunk data without its CRLF", "5\r\nEVIL!XX0\r\n\r\n"),
                Arguments.of("chunk size not hex", "zz\r\nEVIL!\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithNothingForwarded(String name, String raw, int status) throws Exception {
        int before = backend.rawBytes().length();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange(raw + SMUGGLED);
            assertEquals(status, response.status(), name);
            assertTrue(http.isClosedByServer(), name + ": the connection stays open after a refusal");
        }
        String received = afterSentinel(before);
        assertFalse(received.contains("EVIL") || received.contains("/smuggled"), name + " reached the backend:\n" + received);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedInTheBody")
    void refusedInTheBodyWithTheBadPartNeverForwarded(String name, String body) throws Exception {
        int before = backend.rawBytes().length();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + body + SMUGGLED);
            assertEquals(400, response.status(), name);
            assertTrue(http.isClosedByServer(), name + ": the connection stays open after a refusal");
        }
        String received = afterSentinel(before);
        assertFalse(received.contains("EVIL") || received.contains("/smuggled"), name + " reached the backend:\n" + received);
    }

    @Test
    void trailersNeverReachTheBackend() throws Exception {
        int before = backend.rawBytes().length();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nhi\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\nCaravanClientIp: 6.6.6.6\r\nCamelHttpUri: /EVIL\r\n"
                    + "X-Client-Subject: CN=admin\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("2", response.echoed("body-bytes"));
        }
        String received = afterSentinel(before);
        assertFalse(received.contains("6.6.6.6") || received.contains("EVIL") || received.contains("CN=admin"), received);
    }

    @Test
    void anExplicitEmptyBodyKeepsItsLength() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
            assertEquals("0", response.echoedHeader("Content-Length"), "IIS and HTTP.sys answer 411 without it");
        }
    }

    @Test
    void anAbsoluteFormTargetIsForwardedAsOneCleanRequest() throws Exception {
        int before = backend.rawBytes().length();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("GET http://other.test/p?q HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("/p?q", response.echoed("target"));
        }
        String received = afterSentinel(before);
        assertEquals(2, received.split("HTTP/1.1\r\n", -1).length - 1, "one request, then the sentinel:\n" + received);
    }

    /** Sends a sentinel through the gateway and returns what the backend received since {@code before}. */
    private static String afterSentinel(int before) throws Exception {
        String sentinel = "/sentinel-" + sentinels.incrementAndGet();
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(200, http.exchange("GET " + sentinel + " HTTP/1.1\r\nHost: a\r\n\r\n").status());
        }
        String received = backend.rawBytes().substring(before);
        assertTrue(received.contains("GET " + sentinel + " "), "the sentinel arrived");
        return received;
    }
}
