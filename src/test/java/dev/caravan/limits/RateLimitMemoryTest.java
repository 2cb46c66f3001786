package dev.caravan.limits;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of distinct keys cannot exhaust the heap: the store stays at its maximum and the heap stays flat. */
class RateLimitMemoryTest {

    private static final int KEYS = 1_000_000;
    private static final long MAX_KEYS = 100_000; // the default
    private static final long HEAP_BOUND = 64L << 20;

    @Test
    void aMillionDistinctKeysKeepTheStoreAtItsMaximumAndTheHeapBounded() {
        AtomicLong clock = new AtomicLong(); // time stands still: no bucket expires, only the size bound acts
        RatePolicy policy = RatePolicy.parse("10/s", 20L);
        LocalBucketStore store = new LocalBucketStore(policy, MAX_KEYS, clock::get);
        RateLimiter limiter = new RateLimiter("flood", policy, store);
        long before = usedHeapAfterGc();
        long largest = 0;
        for (int i = 0; i < KEYS; i++) {
            // distinct addresses, as a botnet or a spoofing client would present them
            String key = "10." + (i >>> 16 & 255) + "." + (i >>> 8 & 255) + "." + (i & 255) + "#" + (i >>> 24);
            assertTrue(limiter.check(key).allowed(), "a new key has a full bucket");
            if (i % 10_000 == 0) {
                largest = Math.max(largest, store.keys());
            }
        }
        store.cleanUp();
        assertEquals(MAX_KEYS, store.keys(), "the store holds its maximum, no more");
        assertTrue(largest <= MAX_KEYS + 1_000, "never far past it on the way either: " + largest);
        long grown = usedHeapAfterGc() - before;
        System.out.printf("1M keys: store %d keys, heap grew %.1f MiB (%d bytes a key at the bound)%n",
                store.keys(), grown / 1048576.0, grown / MAX_KEYS);
        assertTrue(grown < HEAP_BOUND, "heap grew " + (grown >> 20) + " MiB holding " + store.keys() + " keys");
        assertEquals(KEYS, limiter.allowed()); // keeps the limiter reachable until after the measurement
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) { // a few rounds: a single System.gc() may leave garbage behind
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
