package dev.caravan.observe;

import dev.caravan.testing.Await;
import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted run through a real gateway (successes, a POST with a body, backend 404s, no route, a refused backend, a
 * response timeout, a malformed request), then one scrape of the admin listener's /metrics: every counter and
 * histogram count equals the traffic sent.
 */
class MetricsTest {

    @TempDir
    static Path temp;
    private static BrokenBackend dead;
    private static TestBackend backend;
    private static RunningGateway gateway;
    private static String deadOrigin;
    private static Scrape scrape;

    @BeforeAll
    static void runTraffic() throws Exception {
        backend = TestBackend.start("metrics");
        dead = BrokenBackend.refusing();
        int deadPort = dead.port();
        deadOrigin = "http://127.0.0.1:" + deadPort;
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("metrics.yaml"), """
                - route:
                    id: app
                    from:
                      uri: caravan:http?path=/app
                      steps:
                        - to: "caravan-forward:%1$s?stripPrefix=/app"
                - route:
                    id: dead
                    from:
                      uri: caravan:http?path=/dead
                      steps:
                        - to: "caravan-forward:%2$s"
                - route:
                    id: slow
                    from:
                      uri: caravan:http?path=/slow
                      steps:
                        - to: "caravan-forward:%1$s?responseTimeout=300"
                """.formatted(backend.url(), deadOrigin));
        gateway = RunningGateway.start(dir, Map.of("caravan.https.enabled", "false",
                "caravan.metrics.camelRoutes", "true"));

        for (int i = 0; i < 10; i++) {
            assertEquals(200, gateway.get("/app/x").status());
        }
        for (int i = 0; i < 3; i++) {
            try (RawHttp raw = new RawHttp(gateway.port())) {
                assertEquals(200, raw.exchange("POST /app/y HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n"
                        + "x".repeat(100)).status());
            }
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(404, gateway.get("/app/status/404").status());
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(404, gateway.get("/nowhere").status());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(502, gateway.get("/dead").status());
        }
        assertEquals(504, gateway.get("/slow/1500").status());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(400, raw.exchange("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status());
        }
        // a request is counted once its last byte is written: wait for all 23, then take one scrape
        Await.until(() -> {
            try {
                Scrape s = Scrape.of(gateway.adminPort());
                return s.sum("caravan_requests_total") == 23 && s.value("caravan_requests_inflight") == 0
                        && s.value("caravan_connections_open", "listener", "http") == 0
                        && s.value("caravan_connections_closed_total", "listener", "http") == 23;
            } catch (Exception e) {
                return false;
            }
        }, "23 requests counted, none in flight, every connection closed");
        scrape = Scrape.of(gateway.adminPort());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
        dead.close();
    }

    @Test
    void requestsByRouteMethodAndStatusClass() {
        assertEquals(10, scrape.value("caravan_requests_total", "listener", "http", "route", "app", "method", "GET",
                "status", "2xx"));
        assertEquals(3, scrape.value("caravan_requests_total", "route", "app", "method", "POST", "status", "2xx"));
        assertEquals(2, scrape.value("caravan_requests_total", "route", "app", "method", "GET", "status", "4xx"));
        // no route matched (4) and the malformed request (refused before any route)
        assertEquals(5, scrape.value("caravan_requests_total", "route", "none", "method", "GET", "status", "4xx"));
        assertEquals(2, scrape.value("caravan_requests_total", "route", "dead", "status", "5xx"));
        assertEquals(1, scrape.value("caravan_requests_total", "route", "slow", "status", "5xx"));
    }

    @Test
    void durationHistogramsCountEveryRequest() {
        assertEquals(15, scrape.value("caravan_request_duration_seconds_count", "route", "app"));
        assertEquals(2, scrape.value("caravan_request_duration_seconds_count", "route", "dead"));
        assertEquals(1, scrape.value("caravan_request_duration_seconds_count", "route", "slow"));
        // the 504 came after the 300 ms response timeout, never sooner
        assertEquals(0, scrape.value("caravan_request_duration_seconds_bucket", "route", "slow", "le", "0.25"));
        assertEquals(1, scrape.value("caravan_request_duration_seconds_bucket", "route", "slow", "le", "+Inf"));
        assertEquals(15, scrape.value("caravan_request_duration_seconds_bucket", "route", "app", "le", "+Inf"));
        // the backend's time to its response head, for every response it gave
        assertEquals(15, scrape.value("caravan_backend_duration_seconds_count", "backend", backend.url()));
    }

    @Test
    void bytesInAndOut() {
        assertEquals(300, scrape.value("caravan_request_body_bytes_total", "route", "app"));
        assertTrue(scrape.value("caravan_response_body_bytes_total", "route", "app") > 0);
        assertTrue(scrape.value("caravan_response_body_bytes_total", "route", "none") > 0, "error pages count too");
    }

    @Test
    void backendAttemptsByResult() {
        assertEquals(15, scrape.value("caravan_backend_attempts_total", "backend", backend.url(), "result", "responded"));
        assertEquals(1, scrape.value("caravan_backend_attempts_total", "backend", backend.url(),
                "result", "response_timeout"));
        assertEquals(2, scrape.value("caravan_backend_attempts_total", "backend", deadOrigin,
                "result", "connect_failed"));
        assertEquals(0, scrape.sum("caravan_backend_retries_total"), "one backend per route: nothing to retry on");
    }

    @Test
    void connectionsAndRejections() {
        assertEquals(23, scrape.value("caravan_connections_accepted_total", "listener", "http"));
        assertEquals(23, scrape.value("caravan_connections_closed_total", "listener", "http"));
        assertEquals(1, scrape.value("caravan_rejections_total", "reason", "malformed", "status", "400"));
        assertEquals(0, scrape.value("caravan_rejections_total", "reason", "connection_limit"));
    }

    @Test
    void serverState() {
        assertEquals(1, scrape.value("caravan_backend_up", "backend", backend.url()));
        assertEquals(1, scrape.value("caravan_routes_generation"));
        assertEquals(0, scrape.value("caravan_reloads_total", "result", "applied"));
        assertEquals(0, scrape.value("caravan_reloads_total", "result", "rejected"));
        assertTrue(scrape.has("caravan_backend_pool_connections", "backend", backend.url(), "state", "idle"));
        assertTrue(scrape.has("caravan_backend_ejections_total", "backend", deadOrigin));
        assertTrue(scrape.has("jvm_memory_used_bytes"), "JVM meters in the same registry");
        assertTrue(scrape.has("jvm_gc_collections_total"), scrape.text());
        assertTrue(scrape.has("jvm_gc_collection_time_seconds_total"), scrape.text());
    }

    @Test
    void camelRouteMetricsAreThereToo() {
        // Camel's own view: exchanges through each route and the time spent in its steps
        assertEquals(15, scrape.sum("camel_exchanges_total", "routeId", "app"));
        assertTrue(scrape.has("camel_route_policy_seconds_count", "routeId", "app"), scrape.text());
    }

    @Test
    void openMetricsWhenAsked() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(response.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(response.body().contains("caravan_requests_total{"));
    }
}
