package dev.caravan.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.caravan.testing.Await;
import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.LogCapture;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * X-Request-Id and W3C trace context through a real gateway: kept or generated, sent to the backend and back to the
 * client, and in the MDC of every log line about the request, including lines logged after the backend answered and
 * while other requests interleave on the same event loops.
 */
class RequestIdTest {

    @TempDir
    static Path temp;
    private static BrokenBackend dead;
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("ids");
        dead = BrokenBackend.refusing();
        int deadPort = dead.port();
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("ids.yaml"), """
                - route:
                    id: app
                    from:
                      uri: caravan:http?path=/app
                      steps:
                        - to: "caravan-forward:%1$s?stripPrefix=/app"
                - route:
                    id: logged
                    from:
                      uri: caravan:http?path=/logged
                      steps:
                        - setProperty:
                            name: tag
                            simple: "${header.X-Tag}"
                        - log:
                            loggingLevel: WARN
                            logName: dev.caravan.test.route
                            message: "before tag=${exchangeProperty.tag}"
                        - to: "caravan-forward:%1$s?stripPrefix=/logged"
                        - log:
                            loggingLevel: WARN
                            logName: dev.caravan.test.route
                            message: "after tag=${exchangeProperty.tag}"
                - route:
                    id: dead
                    from:
                      uri: caravan:http?path=/dead
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:%2$d"
                """.formatted(backend.url(), deadPort));
        gateway = RunningGateway.start(dir, Map.of("caravan.https.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
        dead.close();
    }

    private static RawHttp.Response get(String target, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: t\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    private static HttpRequest lastAtBackend() {
        return backend.lastRequest();
    }

    @Test
    void aWellFormedIdIsKeptBothWays() throws Exception {
        RawHttp.Response response = get("/app/x", "X-Request-Id: client-id_1.2:3");
        assertEquals("client-id_1.2:3", response.header("X-Request-Id"));
        assertEquals("client-id_1.2:3", lastAtBackend().headers().get("X-Request-Id"));
    }

    @Test
    void anIdIsGeneratedWhenAbsentOrMalformed() throws Exception {
        for (String[] sent : List.of(new String[0], new String[] {"X-Request-Id: has space"},
                new String[] {"X-Request-Id: " + "a".repeat(129)}, new String[] {"X-Request-Id: <script>"},
                new String[] {"X-Request-Id: one", "X-Request-Id: two"})) {
            RawHttp.Response response = get("/app/x", sent);
            String id = response.header("X-Request-Id");
            assertTrue(id.matches("[0-9a-f]{32}"), "generated id, was " + id + " for " + List.of(sent));
            assertEquals(List.of(id), List.copyOf(lastAtBackend().headers().getAll("X-Request-Id")),
                    "the backend gets the same single id");
        }
        // and on the gateway's own answers: a 404 without a route, a refused malformed request
        assertTrue(get("/nowhere").header("X-Request-Id").matches("[0-9a-f]{32}"));
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response refused = http.exchange("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-Request-Id: bad-1\r\n\r\n");
            assertEquals(400, refused.status());
            assertEquals("bad-1", refused.header("X-Request-Id"));
        }
    }

    @Test
    void generatedIdsAreUnique() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            ids.add(get("/nowhere").header("X-Request-Id"));
        }
        assertEquals(300, ids.size());
    }

    @Test
    void aValidTraceparentContinuesWithANewSpanForTheGatewayHop() throws Exception {
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        get("/app/x", "traceparent: " + incoming, "tracestate: vendor=abc,other=1");
        String sent = lastAtBackend().headers().get("traceparent");
        assertTrue(sent.matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"), sent);
        assertNotEquals("00f067aa0ba902b7", sent.substring(36, 52), "a new parent id: the gateway's span");
        assertEquals("vendor=abc,other=1", lastAtBackend().headers().get("tracestate"), "tracestate passes as it is");
    }

    @Test
    void anInvalidOrMissingTraceparentStartsATraceAndDropsTracestate() throws Exception {
        for (String bad : List.of("00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "garbage")) {
            get("/app/x", "traceparent: " + bad, "tracestate: vendor=abc");
            String sent = lastAtBackend().headers().get("traceparent");
            assertTrue(sent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), sent);
            assertFalse(sent.contains("4bf92f3577b34da6a3ce929d0e0e4736"), "not continued: " + bad);
            assertNull(lastAtBackend().headers().get("tracestate"), "tracestate of a broken trace is dropped");
        }
        get("/app/x");
        assertTrue(lastAtBackend().headers().get("traceparent").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));
    }

    @Test
    void everyLogLineAboutARequestCarriesItsIdsEvenWhenRequestsInterleave() throws Exception {
        try (LogCapture log = new LogCapture()) {
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<RawHttp.Response>> sent = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    int tag = i;
                    // a slow answer for some, so lines of different requests interleave on the same event loops
                    String target = i % 3 == 0 ? "/logged/slow/" + (50 + i * 5) : "/logged/x";
                    sent.add(clients.submit(() -> get(target, "X-Request-Id: req-" + tag, "X-Tag: " + tag)));
                }
                for (Future<RawHttp.Response> f : sent) {
                    assertEquals(200, f.get().status());
                }
            } finally {
                clients.shutdown();
            }
            Await.until(() -> routeLines(log).size() == 48, "48 route log lines");
            for (ILoggingEvent event : routeLines(log)) {
                String tag = event.getFormattedMessage().replaceAll(".*tag=", "");
                assertEquals("req-" + tag, event.getMDCPropertyMap().get("requestId"),
                        "MDC of: " + event.getFormattedMessage() + " on " + event.getThreadName());
                assertNotNull(event.getMDCPropertyMap().get("traceId"));
            }
            // the gateway's own failure line, logged when the connect failure comes back (not on the client's event)
            get("/dead/x", "X-Request-Id: dead-1");
            Await.until(() -> !log.events(e -> e.getFormattedMessage().contains("Route dead failed")).isEmpty(),
                    "failure line");
            ILoggingEvent failure = log.events(e -> e.getFormattedMessage().contains("Route dead failed")).get(0);
            assertEquals("dead-1", failure.getMDCPropertyMap().get("requestId"));
            assertTrue(log.lines(Level.WARN).stream().anyMatch(l -> l.contains("Route dead failed")));
        }
    }

    private static List<ILoggingEvent> routeLines(LogCapture log) {
        return log.events(e -> e.getLoggerName().equals("dev.caravan.test.route"));
    }
}
