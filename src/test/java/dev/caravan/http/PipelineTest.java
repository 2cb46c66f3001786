package dev.caravan.http;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two tiers of the pipeline through a real gateway: a head-tier step answers without a backend, a byte-tier step
 * transforms a streaming response with backpressure intact, and the request log records every phase.
 */
class PipelineTest {

    private static TestBackend backend;
    private static RunningGateway gateway;
    private static final BlockingQueue<ProxyExchange> finished = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/pipeline"), Map.of("backend.url", backend.url()));
        gateway.listener("http").onExchangeFinished(finished::add);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @BeforeEach
    void clear() {
        finished.clear();
    }

    /** The log of the next finished exchange for {@code target} (others, e.g. a previous test's, are skipped). */
    private static RequestLog logOf(String target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ProxyExchange exchange = finished.poll(100, TimeUnit.MILLISECONDS);
            if (exchange != null && exchange.rawTarget().equals(target)) {
                return exchange.log();
            }
        }
        throw new AssertionError("no exchange for " + target + " finished");
    }

    @Test
    void anAnswerFromAStepStopsTheRouteAndNeverReachesTheBackend() throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response denied = http.exchange("GET /guarded/x HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n\r\n");
            assertEquals(401, denied.status());
            assertEquals("Bearer realm=\"test\"", denied.header("WWW-Authenticate"));
            assertTrue(denied.bodyText().contains("\"status\":401"), "the gateway's error page: " + denied.bodyText());
            assertNull(denied.header("X-After-Deny"), "the steps after the answer did not run");
            // sentinel: the next request on the same connection does reach the backend, and is the only one that did
            RawHttp.Response allowed = http.exchange("GET /guarded/y HTTP/1.1\r\nHost: t\r\nX-Token: t\r\n\r\n");
            assertEquals(200, allowed.status());
            assertEquals("/y", allowed.echoed("target"));
        }
        assertEquals(before + 1, backend.requests().size(), "the denied request never reached the backend");
        assertEquals("/y", backend.lastRequest().uri());
    }

    @Test
    void aByteTierStepTransformsAStreamingBody() throws Exception {
        long size = 20_000_000;
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/flipped/download/" + size)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        CRC32 crc = new CRC32();
        long n = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[65536];
            int read;
            while ((read = in.read(buffer)) > 0) {
                for (int i = 0; i < read; i++) {
                    buffer[i] = (byte) ~buffer[i]; // flip back
                }
                crc.update(buffer, 0, read);
                n += read;
            }
        }
        assertEquals(size, n);
        assertEquals(TestBackend.crcOfPattern(size), crc.getValue(), "every byte went through the decorator");
        RequestLog log = logOf("/flipped/download/" + size);
        assertEquals(size, log.bytesOut(), "the byte counter counts what the client got");
    }

    @Test
    void aSlowClientStillThrottlesTheBackendThroughADecorator() throws Exception {
        long streamedBefore = backend.bytesStreamed();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.getOutputStream().write("GET /flipped/download/1000000000 HTTP/1.1\r\nHost: t\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            // the client reads nothing: wait until the backend stops being read, then check how far it got
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                long now = backend.bytesStreamed() - streamedBefore;
                if (now > 0 && now == last) {
                    break;
                }
                last = now;
                Thread.sleep(300);
            }
            long streamed = backend.bytesStreamed() - streamedBefore;
            assertTrue(streamed < 64L * 1024 * 1024, "the backend was throttled, not drained: " + streamed + " bytes");
        }
    }

    @Test
    void theRequestLogRecordsEveryPhaseOfAProxiedRequest() throws Exception {
        byte[] upload = new byte[100_000];
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/plain/echo"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        RequestLog log = logOf("/plain/echo");
        assertEquals(RequestLog.Outcome.COMPLETED, log.outcome());
        assertEquals("plain", log.routeId());
        assertEquals(backend.url(), log.backend());
        assertEquals(1, log.attempts());
        assertEquals(200, log.status());
        assertEquals(upload.length, log.bytesIn());
        assertEquals(response.body().getBytes(StandardCharsets.UTF_8).length, log.bytesOut());
        long[] phases = {log.headReadNanos(), log.routeDecidedNanos(), log.backendConnectedNanos(),
            log.requestSentNanos(), log.backendHeadNanos(), log.responseHeadNanos(), log.lastByteNanos()};
        for (int i = 0; i < phases.length; i++) {
            assertTrue(phases[i] > 0, "phase " + i + " recorded");
            assertTrue(i == 0 || phases[i] >= phases[i - 1], "phase " + i + " after phase " + (i - 1));
        }
        assertTrue(log.connectionAcceptedNanos() <= log.headReadNanos());
        assertTrue(log.backendNanos() >= 0);
    }

    @Test
    void theRequestLogRecordsAnswersWithoutBackendsAndRefusals() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(404, http.exchange("GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n").status());
        }
        RequestLog noRoute = logOf("/nothing");
        assertNull(noRoute.routeId());
        assertEquals(404, noRoute.status());
        assertEquals(0, noRoute.attempts());
        assertEquals(RequestLog.Outcome.COMPLETED, noRoute.outcome());

        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(400, http.exchange("GET /plain/x HTTP/1.1\r\n\r\n").status()); // no Host
        }
        RequestLog refused = logOf("/plain/x");
        assertEquals(RequestLog.Outcome.REFUSED, refused.outcome());
        assertEquals(400, refused.status());
        assertNull(refused.routeId(), "no route ran");
    }
}
