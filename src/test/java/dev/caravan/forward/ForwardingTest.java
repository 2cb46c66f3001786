package dev.caravan.forward;

import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forwarder against a real backend, through a real gateway, over real sockets. */
class ForwardingTest {

    private static BrokenBackend dead;
    private static TestBackend backend;
    private static TestBackend fresh;
    private static RunningGateway gateway;
    private static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b1");
        fresh = TestBackend.start("fresh");
        dead = BrokenBackend.refusing();
        deadPort = dead.port();
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/forwarding"), Map.of(
                "backend.url", backend.url(),
                "fresh.url", fresh.url(),
                "dead.url", "http://127.0.0.1:" + deadPort,
                // %2F is refused by default (it is read differently by different servers); this gateway allows it, so
                // the byte-exact forwarding of such targets is shown too
                "caravan.paths.encodedSlashes", "allow"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
        fresh.close();
        dead.close();
    }

    private static RawHttp.Response get(String target, String... headers) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(request("GET", target, headers));
        }
    }

    private static String request(String method, String target, String... headers) {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: gw.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        return raw.append("\r\n").toString();
    }

    private static void assertNoInternalHeaders(RawHttp.Response response) {
        for (String name : response.headerNames()) {
            assertFalse(name.startsWith("camel") || name.startsWith("caravan"), "internal header leaked: " + name);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 204, 301, 302, 304, 307, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503})
    void relaysEveryStatusAsItIs(int status) throws Exception {
        RawHttp.Response response = get("/status/" + status);
        assertEquals(status, response.status());
        assertEquals("b1", response.header("X-Backend"));
        if (status != 204 && status != 304) {
            assertEquals("status " + status + " from b1\n", response.bodyText());
        } else {
            assertEquals(0, response.body().length);
        }
        assertNoInternalHeaders(response);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/a%2Fb/c;x=1?q=a+b&e=&%zz",
        "/plain",
        "/?",
        "/path?",
        "//double//slash/",
        "/a/../b/./c",
        "/x/%2e%2e/y",
        "/sp%20ace/plus+sign",
        "/q?a=1&a=2&b&c=%3D%26",
        "/caf%C3%A9/%E2%82%AC?x=%F0%9F%9A%80",
        "/*star*/~tilde/@at/:colon/!bang/$dollar/'quote'/(paren)",
    })
    void keepsTheRequestTargetByteForByte(String target) throws Exception {
        RawHttp.Response response = get(target);
        assertEquals(200, response.status());
        assertEquals(target, response.echoed("target"));
    }

    @Test
    void keepsRawNonAsciiBytesInTheTarget() throws Exception {
        byte[] utf8 = "/café".getBytes(StandardCharsets.UTF_8);
        String raw = new String(utf8, StandardCharsets.ISO_8859_1);
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(("GET " + raw + " HTTP/1.1\r\nHost: gw.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response response = http.read();
            assertEquals(200, response.status());
            HttpRequest seen = backend.lastRequest();
            assertEquals(raw, seen.uri());
        }
    }

    @Test
    void stripsAPrefixAndAddsTheBackendBasePath() throws Exception {
        assertEquals("/base/x%2Fy?q=a+b", get("/strip/x%2Fy?q=a+b").echoed("target"));
        assertEquals("/base/?k", get("/strip?k").echoed("target"));
    }

    @Test
    void removesHopByHopRequestHeadersAndAddsForwardingHeaders() throws Exception {
        RawHttp.Response response = get("/echo",
                "Connection: keep-alive, X-Custom-Hop",
                "X-Custom-Hop: secret",
                "Keep-Alive: timeout=300",
                "TE: trailers",
                "Proxy-Authorization: Basic dXNlcjpwYXNz",
                "Proxy-Connection: keep-alive",
                "Upgrade: h2c", // not websocket: a WebSocket upgrade is answered 501 since 198dca9
                "X-Forwarded-For: 203.0.113.7",
                "Via: 1.1 edge",
                "X-End-To-End: kept");
        assertEquals(200, response.status());
        for (String hop : List.of("Connection", "X-Custom-Hop", "Keep-Alive", "TE", "Proxy-Authorization",
                "Proxy-Connection", "Upgrade")) {
            assertNull(response.echoedHeader(hop), hop + " reached the backend");
        }
        assertEquals("kept", response.echoedHeader("X-End-To-End"));
        assertEquals("gw.test", response.echoedHeader("Host"));
        assertEquals("203.0.113.7, 127.0.0.1", response.echoedHeader("X-Forwarded-For"));
        assertEquals("http", response.echoedHeader("X-Forwarded-Proto"));
        assertEquals("gw.test", response.echoedHeader("X-Forwarded-Host"));
        assertEquals(Integer.toString(gateway.port()), response.echoedHeader("X-Forwarded-Port"));
        assertEquals("1.1 edge, 1.1 caravan", response.echoedHeader("Via"));
    }

    @Test
    void canSendTheBackendsOwnHost() throws Exception {
        RawHttp.Response response = get("/backend-host/x");
        assertEquals("127.0.0.1:" + backend.port(), response.echoedHeader("Host"));
        assertEquals("gw.test", response.echoedHeader("X-Forwarded-Host"));
    }

    @Test
    void removesHopByHopResponseHeadersAndKeepsEndToEndOnes() throws Exception {
        RawHttp.Response response = get("/hop");
        assertEquals(200, response.status());
        for (String hop : List.of("X-Hop-Listed", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection", "TE")) {
            assertNull(response.header(hop), hop + " reached the client");
        }
        assertEquals("kept", response.header("X-End-To-End"));
        assertEquals(List.of("a=1; Path=/", "b=2; Path=/"), response.headers("Set-Cookie"));
        assertEquals("max-age=60", response.header("Cache-Control"));
        assertEquals("Thu, 26 Nov 2026 10:00:00 GMT", response.header("Date"));
        assertNoInternalHeaders(response);
    }

    @Test
    void neverLetsClientsSetInternalHeadersOrTurnsQueryParametersIntoHeaders() throws Exception {
        RawHttp.Response response = get("/echo?X-Api-Key=secret&CamelHttpUri=/evil",
                "CamelHttpUri: /evil", "CamelHttpPath: /evil", "CaravanClientIp: 6.6.6.6", "camelFoo: x");
        assertEquals("/echo?X-Api-Key=secret&CamelHttpUri=/evil", response.echoed("target"));
        for (String name : List.of("CamelHttpUri", "CamelHttpPath", "CaravanClientIp", "camelFoo", "X-Api-Key")) {
            assertNull(response.echoedHeader(name), name + " reached the backend");
        }
        assertFalse(response.bodyText().toLowerCase().contains("header camel"));
        assertFalse(response.bodyText().toLowerCase().contains("header caravan"));
        assertNoInternalHeaders(response);
    }

    @Test
    void headGetsHeadersAndNoBodyAndTheConnectionStaysUsable() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response head = http.exchange(request("HEAD", "/download/1000"));
            assertEquals(200, head.status());
            assertEquals("1000", head.header("Content-Length"));
            RawHttp.Response chunkedHead = http.exchange(request("HEAD", "/download/1000?chunked"));
            assertEquals(200, chunkedHead.status());
            RawHttp.Response next = http.exchange(request("GET", "/status/201"));
            assertEquals(201, next.status());
        }
    }

    @Test
    void streamsChunkedAndContentLengthDownloads() throws Exception {
        for (String target : List.of("/download/300000", "/download/300000?chunked")) {
            RawHttp.Response response = get(target);
            assertEquals(200, response.status());
            assertEquals(300000, response.body().length);
            CRC32 crc = new CRC32();
            crc.update(response.body());
            assertEquals(TestBackend.crcOfPattern(300000), crc.getValue(), target);
        }
        assertEquals("chunked", get("/download/10?chunked").header("Transfer-Encoding"));
        assertEquals("10", get("/download/10").header("Content-Length"));
    }

    @Test
    void streamsChunkedAndContentLengthUploads() throws Exception {
        byte[] body = new byte[200_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7);
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(request("POST", "/upload", "Content-Length: " + body.length));
            http.send(body);
            RawHttp.Response response = http.read();
            assertEquals("200000", response.echoed("body-bytes"));
            assertEquals(Long.toString(crc.getValue()), response.echoed("body-crc"));
            assertEquals("200000", response.echoedHeader("Content-Length"));

            http.send(request("PUT", "/upload", "Transfer-Encoding: chunked"));
            for (int off = 0; off < body.length; off += 50_000) {
                http.send(Integer.toHexString(50_000) + "\r\n");
                http.send(java.util.Arrays.copyOfRange(body, off, off + 50_000));
                http.send("\r\n");
            }
            http.send("0\r\n\r\n");
            RawHttp.Response chunked = http.read();
            assertEquals("200000", chunked.echoed("body-bytes"));
            assertEquals(Long.toString(crc.getValue()), chunked.echoed("body-crc"));
            assertEquals("chunked", chunked.echoedHeader("Transfer-Encoding"));
        }
    }

    @Test
    void relaysOneHundredContinue() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(request("POST", "/continue", "Content-Length: 5", "Expect: 100-continue"));
            RawHttp.Response interim = http.read();
            assertEquals(100, interim.status());
            http.send("hello");
            RawHttp.Response response = http.read();
            assertEquals(200, response.status());
            assertEquals("5", response.echoed("body-bytes"));
        }
    }

    @Test
    void aBodyTheRouteNeverSendsIsDroppedAndTheConnectionStaysUsable() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response local = http.exchange(request("POST", "/local", "Content-Length: 11") + "hello world");
            assertEquals(201, local.status());
            assertEquals("made here", local.bodyText());
            assertEquals(200, http.exchange(request("GET", "/echo")).status());
        }
    }

    @Test
    void relaysOneHundredContinueOnANewBackendConnection() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(request("PUT", "/fresh/continue", "Content-Length: 3", "Expect: 100-continue"));
            assertEquals(100, http.read().status(), "the request head must reach a backend that was never used");
            http.send("abc");
            assertEquals("3", http.read().echoed("body-bytes"));
        }
    }

    @Test
    void relaysEarlyHintsWithTheirHeaders() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response hints = http.exchange(request("GET", "/early-hints"));
            assertEquals(103, hints.status());
            assertEquals("</style.css>; rel=preload; as=style", hints.header("Link"));
            assertEquals(200, http.read().status());
        }
    }

    @Test
    void aClientCannotStripTheBodyFramingThroughTheConnectionHeader() throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = new RawHttp(gateway.port())) {
            String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
            RawHttp.Response response = http.exchange(request("POST", "/echo",
                    "Connection: keep-alive, Content-Length, Transfer-Encoding, Host",
                    "Content-Length: " + smuggled.length()) + smuggled);
            assertEquals(200, response.status());
            assertEquals(Integer.toString(smuggled.length()), response.echoed("body-bytes"));
            assertEquals(Integer.toString(smuggled.length()), response.echoedHeader("Content-Length"));
            assertEquals("gw.test", response.echoedHeader("Host"));
        }
        // sentinel: a request sent after the answer must be the next (and only other) one the backend saw
        assertEquals(200, get("/sentinel").status());
        assertEquals(before + 2, backend.requests().size(), "the body reached the backend as a second request");
        assertEquals("/sentinel", backend.lastRequest().uri());
        assertFalse(backend.requests().stream().anyMatch(r -> r.uri().equals("/smuggled")));
    }

    @Test
    void aMalformedChunkClosesTheClientConnection() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(request("POST", "/upload", "Transfer-Encoding: chunked") + "5\r\nhello\r\nzz\r\n");
            // the upload was already on its way to the backend, so the client gets a 400 before the close
            assertEquals(400, http.read().status());
            assertTrue(http.isClosedByServer(), "a malformed chunk left the connection open");
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(request("GET", "/status/201") + request("GET", "/status/202") + request("GET", "/echo?third"));
            assertEquals(201, http.read().status());
            assertEquals(202, http.read().status());
            assertEquals("/echo?third", http.read().echoed("target"));
        }
    }

    @Test
    void deadBackendGives502WithoutLeakingItsAddress() throws Exception {
        RawHttp.Response html = get("/dead/x");
        assertEquals(502, html.status());
        assertTrue(html.header("Content-Type").startsWith("text/html"));
        RawHttp.Response json = get("/dead/x", "Accept: application/json");
        assertEquals(502, json.status());
        assertEquals("application/json", json.header("Content-Type"));
        for (RawHttp.Response response : List.of(html, json)) {
            String body = response.bodyText();
            assertFalse(body.contains("127.0.0.1") || body.contains(Integer.toString(deadPort))
                    || body.contains("Exception") || body.contains("Connection refused"), body);
            assertNoInternalHeaders(response);
        }
    }

    @Test
    void slowBackendGives504AfterTheResponseTimeout() throws Exception {
        long started = System.nanoTime();
        RawHttp.Response response = get("/slow/4000");
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(504, response.status());
        assertTrue(millis < 3900, "took " + millis + " ms");
        assertFalse(response.bodyText().contains("127.0.0.1"));
        assertNoInternalHeaders(response);
    }

    @Test
    void survivesABackendThatClosesAfterEachResponse() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                assertEquals("closing\n", http.exchange(request("GET", "/close")).bodyText());
            }
        }
    }

    @Test
    void reusesBackendConnectionsForSequentialRequests() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.exchange(request("GET", "/warm"));
            int before = backend.connections();
            for (int i = 0; i < 30; i++) {
                assertEquals(200, http.exchange(request("GET", "/echo/" + i)).status());
            }
            assertEquals(before, backend.connections(), "sequential requests opened new backend connections");
        }
    }

    @Test
    void servesConcurrentClientsOnPooledConnections() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            int before = backend.connections();
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < 50; i++) {
                        HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
                                URI.create(gateway.url() + "/echo/" + thread + "/" + i)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && r.body().contains("target /echo/" + thread + "/" + i + "\n")) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(50, result.get());
            }
            int opened = backend.connections() - before;
            assertTrue(opened <= 40, "800 requests from 16 clients opened " + opened + " backend connections");
        } finally {
            pool.shutdownNow();
        }
    }
}
