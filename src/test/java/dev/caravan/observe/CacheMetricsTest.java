package dev.caravan.observe;

import dev.caravan.testing.Await;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The response cache's own counters on /metrics: one miss that stores, then hits, for a known run. */
class CacheMetricsTest {

    @TempDir
    Path temp;

    @Test
    void hitsMissesAndStoresOfACache() throws Exception {
        try (TestBackend backend = TestBackend.start("cached")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("cached.yaml"), """
                    - route:
                        id: cached
                        from:
                          uri: caravan:http?path=/cached
                          steps:
                            - to: caravan-cache:metrics-cache
                            - to: "caravan-forward:%s?stripPrefix=/cached"
                            - setHeader:
                                name: Cache-Control
                                constant: max-age=60
                    """.formatted(backend.url()));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("caravan.https.enabled", "false"))) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, gateway.get("/cached/x").status());
                }
                assertEquals(1, backend.requests().size(), "two answers came from the cache");
                Await.until(() -> {
                    try {
                        return Scrape.of(gateway.adminPort()).sum("caravan_cache_requests_total",
                                "cache", "metrics-cache") == 3;
                    } catch (Exception e) {
                        return false;
                    }
                }, "three cache lookups counted");
                Scrape scrape = Scrape.of(gateway.adminPort());
                assertEquals(2, scrape.value("caravan_cache_requests_total", "cache", "metrics-cache", "result", "hit"));
                assertEquals(1, scrape.value("caravan_cache_requests_total", "cache", "metrics-cache", "result", "miss"));
                assertEquals(1, scrape.value("caravan_cache_stores_total", "cache", "metrics-cache"));
                assertTrue(scrape.value("caravan_cache_stored_bytes_total", "cache", "metrics-cache") > 0);
                assertEquals(1, scrape.value("caravan_cache_entries", "cache", "metrics-cache"));
                assertTrue(scrape.value("caravan_cache_size_bytes", "cache", "metrics-cache") > 0);
            }
        }
    }
}
