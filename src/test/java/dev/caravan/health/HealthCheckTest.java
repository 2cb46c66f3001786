package dev.caravan.health;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Active checks mark a stopped backend down before any request meets it, and up again once it is back. */
class HealthCheckTest {

    @TempDir
    Path temp;

    @Test
    void downWithinIntervalTimesThresholdAndUpAgainAfterRestart() throws Exception {
        TestBackend a = TestBackend.start("a");
        TestBackend b = TestBackend.start("b");
        int bPort = b.port();
        try (RunningGateway gateway = RunningGateway.startWithCopies(temp, Map.of(
                "app.a", a.url(), "app.b", b.url(), "app.healthInterval", "200"),
                Path.of("docs/examples/health-checks.yaml"))) {
            awaitTrue(() -> b.requests().stream().anyMatch(r -> r.uri().equals("/health")), "b is being checked");
            String bOrigin = "http://127.0.0.1:" + bPort;
            assertTrue(view(gateway).contains("{\"origin\":\"" + bOrigin + "\",\"up\":true"), view(gateway));

            b.close();
            long stopped = System.nanoTime();
            awaitTrue(() -> view(gateway).contains("{\"origin\":\"" + bOrigin + "\",\"up\":false"), "b marked down");
            long downAfter = (System.nanoTime() - stopped) / 1_000_000;
            // POSTs are never retried, so any that met the stopped backend would fail; none may
            for (int i = 0; i < 20; i++) {
                try (RawHttp http = new RawHttp(gateway.port())) {
                    RawHttp.Response response = http.exchange(
                            "POST /app/order HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
                    assertEquals(200, response.status());
                    assertEquals("a", response.echoed("backend"));
                }
            }

            TestBackend revived = TestBackend.startOn("b", bPort);
            long restarted = System.nanoTime();
            try {
                awaitTrue(() -> view(gateway).contains("{\"origin\":\"" + bOrigin + "\",\"up\":true"), "b marked up");
                long upAfter = (System.nanoTime() - restarted) / 1_000_000;
                boolean reachedB = false;
                for (int i = 0; i < 6 && !reachedB; i++) {
                    try (RawHttp http = new RawHttp(gateway.port())) {
                        reachedB = "b".equals(http.exchange("GET /app/x HTTP/1.1\r\nHost: t\r\n\r\n").echoed("backend"));
                    }
                }
                assertTrue(reachedB, "traffic did not come back to b");
                System.out.printf("health: b down %d ms after it stopped, up %d ms after restart "
                        + "(interval 200 ms, thresholds 2)%n", downAfter, upAfter);
                assertTrue(downAfter < 2000 && upAfter < 2000, "down " + downAfter + " ms, up " + upAfter + " ms");
            } finally {
                revived.close();
            }
        } finally {
            a.close();
        }
    }

    /**
     * Two routes check one backend differently (another path, another interval): both checks run, neither replaces
     * the other, and the backend is down for every route as soon as one check says so.
     */
    @Test
    void twoRoutesWithDifferentChecksOnOneBackendBothCount() throws Exception {
        try (TestBackend a = TestBackend.start("a")) {
            java.nio.file.Path dir = java.nio.file.Files.createDirectories(temp.resolve("two-checks"));
            java.nio.file.Files.copy(Path.of("docs/examples/health-checks.yaml"), dir.resolve("health-checks.yaml"));
            // the second check asks for a path this backend answers 500 on
            java.nio.file.Files.writeString(dir.resolve("strict.yaml"), """
                    - route:
                        id: strict
                        from:
                          uri: caravan:http?path=/strict
                          steps:
                            - to: "caravan-forward:{{app.a}}?healthPath=/status/500&healthInterval=150&unhealthyThreshold=2&stripPrefix=/strict"
                    """);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("app.a", a.url(), "app.b", a.url(),
                    "app.healthInterval", "200"))) {
                awaitTrue(() -> a.requests().stream().anyMatch(r -> r.uri().equals("/health")), "the first check runs");
                awaitTrue(() -> a.requests().stream().anyMatch(r -> r.uri().equals("/status/500")), "the second runs");
                awaitTrue(() -> view(gateway).contains("\"probedUp\":false"), "the failing check marks it down");
                long before = a.requests().stream().filter(r -> r.uri().equals("/health")).count();
                awaitTrue(() -> a.requests().stream().filter(r -> r.uri().equals("/health")).count() > before,
                        "the first check keeps running beside the second");
                assertTrue(view(gateway).contains("\"probedUp\":false"), "and the backend stays down");
            }
        }
    }

    private static String view(RunningGateway gateway) {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("GET /caravan/backends HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("application/json", response.header("Content-Type"));
            return response.bodyText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
