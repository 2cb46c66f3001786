package dev.caravan.cache;

import dev.caravan.http.HeaderMap;
import dev.caravan.testing.BusyCommonPool;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte bound holds: a million distinct keys through a 16 MiB cache leave it at 16 MiB, and both the heap and the
 * direct memory the bodies live in flat (evicted bodies are freed).
 */
class CacheMemoryTest {

    @Test
    void aMillionDistinctKeysStayWithinTheByteBound() throws Exception {
        long maxBytes = 16L * 1024 * 1024;
        ResponseCache cache = new ResponseCache("memory", maxBytes);
        CachePolicy policy = new CachePolicy(0, false, 0, 0, 3600);
        RequestFacts request = new RequestFacts(new HeaderMap(), true);
        long now = System.currentTimeMillis();
        long before = usedHeapAfterGc();
        long directBefore = usedDirectMemory();
        for (int i = 0; i < 1_000_000; i++) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set("Cache-Control", "max-age=3600").set("Content-Type", "text/plain");
            CachedBody body = CachedBody.copyOf(new byte[200]);
            cache.store("route GET http://h/item/" + i, policy.store(request, response, body, now, now));
        }
        cache.caffeine().cleanUp();
        long after = usedHeapAfterGc();
        long directAfter = usedDirectMemory();
        assertTrue(cache.bytes() <= maxBytes, "weighted size " + cache.bytes());
        assertTrue(cache.entryCount() < 1_000_000 / 10, "entries " + cache.entryCount());
        // 1M entries unbounded would be ~1 GB; the bound keeps the growth near 16 MiB (plus slack for the JVM)
        assertTrue(after - before < 96L * 1024 * 1024, "heap grew by " + (after - before) / 1024 / 1024 + " MiB");
        // 200 MB of bodies went through; what stays is what the bound holds
        assertTrue(directAfter - directBefore < 32L * 1024 * 1024,
                "direct memory grew by " + (directAfter - directBefore) / 1024 / 1024 + " MiB");
        assertTrue(cache.statistics().stored() == 1_000_000);
    }

    @Test
    void aStorePastTheBoundEvictsBeforeItReturns() throws InterruptedException {
        ResponseCache cache = new ResponseCache("inline", 64 * 1024);
        CachePolicy policy = new CachePolicy(0, false, 0, 0, 3600);
        RequestFacts request = new RequestFacts(new HeaderMap(), true);
        long now = System.currentTimeMillis();
        try (BusyCommonPool busy = new BusyCommonPool()) {
            for (int i = 0; i < 200; i++) {
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                response.headers().set("Cache-Control", "max-age=3600");
                cache.store("route GET http://h/" + i, policy.store(request, response,
                        CachedBody.copyOf(new byte[2048]), now, now));
            }
            // no cleanUp(), and the common pool could not have run it: the stores evicted as they went
            assertTrue(cache.entryCount() <= 32, "entries " + cache.entryCount());
            assertTrue(cache.bytes() > 0 && cache.bytes() <= 64 * 1024, "weighted " + cache.bytes());
        }
    }

    private static long usedDirectMemory() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
