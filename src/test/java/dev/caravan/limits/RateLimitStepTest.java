package dev.caravan.limits;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The caravan-rate-limit step through a real gateway and backend: the example file (docs/examples/rate-limit.yaml)
 * and, for exact counts, routes with hourly rates (no token comes back while the test runs).
 */
class RateLimitStepTest {

    @TempDir
    static Path temp;
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("limited");
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/rate-limit.yaml"), dir.resolve("rate-limit.yaml"));
        Files.writeString(dir.resolve("hourly.yaml"), """
                - route:
                    id: hourly
                    from:
                      uri: caravan:http?path=/hourly
                      steps:
                        - to: "caravan-rate-limit:hourly?rate=5/h&key=header:X-User"
                        - to: "caravan-forward:%1$s"
                - route:
                    id: legacy
                    from:
                      uri: caravan:http?path=/legacy
                      steps:
                        - to: "caravan-rate-limit:legacy-wide?rate=3/h&key=header:X-User&headers=legacy"
                        - to: "caravan-rate-limit:legacy-narrow?rate=2/h&key=header:X-User&headers=legacy"
                        - to: "caravan-forward:%1$s"
                - route:
                    id: quiet
                    from:
                      uri: caravan:http?path=/quiet
                      steps:
                        - to: "caravan-rate-limit:quiet?rate=1/h&key=header:X-User&successHeaders=false"
                        - to: "caravan-forward:%1$s"
                - route:
                    id: shared-a
                    from:
                      uri: caravan:http?path=/shared-a
                      steps:
                        - to: "caravan-rate-limit:shared-hourly?rate=4/h&key=header:X-User"
                        - to: "caravan-forward:%1$s"
                - route:
                    id: shared-b
                    from:
                      uri: caravan:http?path=/shared-b
                      steps:
                        - to: "caravan-rate-limit:shared-hourly?rate=4/h&key=header:X-User&headers=none"
                        - to: "caravan-forward:%1$s"
                """.formatted(backend.url()));
        gateway = RunningGateway.start(dir, Map.of("api.backend", backend.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    static RawHttp.Response get(RunningGateway gateway, String target, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: limits.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    private static long backendSaw(String target) {
        return backend.requests().stream().filter(r -> r.uri().startsWith(target)).count();
    }

    private static RateLimiter limiter(String name) {
        return gateway.context().getComponent("caravan-rate-limit", RateLimitComponent.class).limits().get(name);
    }

    @Test
    void aBurstIsAllowedThenExcessGets429WithExactHeadersAndNeverReachesTheBackend() throws Exception {
        long rejectedBefore = limiter("hourly").rejected();
        long allowedBefore = limiter("hourly").allowed();
        for (int i = 1; i <= 5; i++) {
            RawHttp.Response ok = get(gateway, "/hourly/a", "X-User: alice");
            assertEquals(200, ok.status(), "request " + i + " is within the burst of 5");
            assertEquals("\"hourly\";q=5;w=3600", ok.header("RateLimit-Policy"));
            assertTrue(ok.header("RateLimit").startsWith("\"hourly\";r=" + (5 - i) + ";t="), ok.header("RateLimit"));
        }
        for (int i = 0; i < 3; i++) {
            RawHttp.Response limited = get(gateway, "/hourly/a", "X-User: alice");
            assertEquals(429, limited.status());
            // one token every 720 s: the next comes 720 s after the first request, less the time the test took
            long retryAfter = Long.parseLong(limited.header("Retry-After"));
            assertTrue(retryAfter > 600 && retryAfter <= 720, "Retry-After " + retryAfter);
            assertEquals("\"hourly\";q=5;w=3600", limited.header("RateLimit-Policy"));
            assertEquals("\"hourly\";r=0;t=" + retryAfter, limited.header("RateLimit"));
            assertTrue(limited.bodyText().contains("429 Too Many Requests"), "the gateway's page");
            assertEquals("no-store", limited.header("Cache-Control"));
        }
        // sentinel: another user passes, and the backend has seen exactly the allowed requests and it
        assertEquals(200, get(gateway, "/hourly/sentinel", "X-User: bob").status());
        assertEquals(5, backendSaw("/hourly/a"), "no rejected request reached the backend");
        assertEquals(1, backendSaw("/hourly/sentinel"));
        assertEquals(3, limiter("hourly").rejected() - rejectedBefore, "rejections are counted");
        assertEquals(6, limiter("hourly").allowed() - allowedBefore);
    }

    @Test
    void separateKeysHaveSeparateBuckets() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, get(gateway, "/hourly/c", "X-User: carol").status());
        }
        assertEquals(429, get(gateway, "/hourly/c", "X-User: carol").status());
        RawHttp.Response dave = get(gateway, "/hourly/d", "X-User: dave");
        assertEquals(200, dave.status(), "carol's bucket is hers alone");
        assertEquals("\"hourly\";r=4;t=720", dave.header("RateLimit"));
    }

    @Test
    void stackedLimitsEachCountAndTheLegacyFieldsShowTheTightest() throws Exception {
        RawHttp.Response first = get(gateway, "/legacy/x", "X-User: erin");
        assertEquals(200, first.status());
        assertEquals("2", first.header("RateLimit-Limit"), "the narrow limit has fewer left, so it is shown");
        assertEquals("1", first.header("RateLimit-Remaining"));
        assertEquals(1, first.headers("RateLimit-Remaining").size());
        assertNull(first.header("RateLimit"), "legacy form only");
        assertEquals(200, get(gateway, "/legacy/x", "X-User: erin").status());
        RawHttp.Response third = get(gateway, "/legacy/x", "X-User: erin");
        assertEquals(429, third.status(), "the narrow limit (2/h) is spent");
        assertEquals("0", third.header("RateLimit-Remaining"));
        assertEquals("2", third.header("RateLimit-Limit"));
        assertEquals(third.header("Retry-After"), third.header("RateLimit-Reset"));
        assertEquals(3, limiter("legacy-wide").allowed(), "the wide limit counted all three; the narrow one said no");
        assertEquals(1, limiter("legacy-narrow").rejected());
    }

    @Test
    void successHeadersCanBeTurnedOffButA429StillExplainsItself() throws Exception {
        RawHttp.Response ok = get(gateway, "/quiet/x", "X-User: fay");
        assertEquals(200, ok.status());
        assertNull(ok.header("RateLimit"));
        assertNull(ok.header("RateLimit-Policy"));
        RawHttp.Response limited = get(gateway, "/quiet/x", "X-User: fay");
        assertEquals(429, limited.status());
        assertEquals("\"quiet\";r=0;t=" + limited.header("Retry-After"), limited.header("RateLimit"));
    }

    @Test
    void twoRoutesNamingOneLimitShareItsBuckets() throws Exception {
        assertEquals(200, get(gateway, "/shared-a/1", "X-User: gil").status());
        assertEquals(200, get(gateway, "/shared-b/1", "X-User: gil").status());
        assertEquals(200, get(gateway, "/shared-a/2", "X-User: gil").status());
        RawHttp.Response fourth = get(gateway, "/shared-b/2", "X-User: gil");
        assertEquals(200, fourth.status());
        assertNull(fourth.header("RateLimit"), "headers=none on this step");
        RawHttp.Response fifth = get(gateway, "/shared-a/3", "X-User: gil");
        assertEquals(429, fifth.status(), "4 per hour across both routes");
        assertEquals("\"shared-hourly\";r=0;t=" + fifth.header("Retry-After"), fifth.header("RateLimit"));
        assertEquals(429, get(gateway, "/shared-b/3", "X-User: gil").status());
        assertEquals(4, limiter("shared-hourly").allowed());
    }

    @Test
    void theExampleAllowsItsBurstThenAnswers429() throws Exception {
        // 10/s with bursts of 20: the first 20 always pass; a 429 follows long before 200 requests (that would
        // take the test more than 18 s)
        int allowed = 0;
        RawHttp.Response limited = null;
        for (int i = 0; i < 200 && limited == null; i++) {
            RawHttp.Response response = get(gateway, "/api/items", "X-Api-Key: k1");
            if (response.status() == 429) {
                limited = response;
            } else {
                assertEquals(200, response.status());
                assertEquals("/items", response.echoed("target"));
                allowed++;
            }
        }
        assertTrue(allowed >= 20, "allowed " + allowed);
        assertNotNull(limited, "no 429 after 200 requests");
        assertEquals("1", limited.header("Retry-After"));
        List<String> policies = limited.headers("RateLimit-Policy");
        assertEquals(List.of("\"per-client\";q=20;w=2"), policies,
                "the per-key step never ran for this request: the per-client step answered first");
        assertEquals("\"per-client\";r=0;t=1", limited.header("RateLimit"));
    }

    @Test
    void theExampleSharesOneBudgetBetweenSearchAndExport() throws Exception {
        // 30 a minute per tenant across both routes: separate budgets would allow 60 before a 429; 45 or more would
        // need 30 s of refills
        int allowed = 0;
        boolean limited = false;
        for (int i = 0; i < 100 && !limited; i++) {
            RawHttp.Response response = get(gateway, i % 2 == 0 ? "/search?q=1" : "/export?q=1", "X-Tenant: acme");
            limited = response.status() == 429;
            allowed += response.status() == 200 ? 1 : 0;
        }
        assertTrue(limited);
        assertTrue(allowed >= 30 && allowed < 45, "allowed " + allowed);
        RawHttp.Response other = get(gateway, "/export?q=1", "X-Tenant: globex");
        assertEquals(200, other.status(), "another tenant has its own bucket");
        assertFalse(limiter("reports").keys() < 2);
    }
}
