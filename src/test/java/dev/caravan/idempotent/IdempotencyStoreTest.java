package dev.caravan.idempotent;

import dev.caravan.testing.BusyCommonPool;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key store alone: claiming is atomic, finishing and releasing, Camel's repository view, the byte bound. */
class IdempotencyStoreTest {

    @Test
    void aKeyIsClaimedOnceThenFinishedOrReleased() {
        IdempotencyStore store = new IdempotencyStore("s", 1 << 20, 60);
        IdempotencyRecord first = IdempotencyRecord.inFlight("f");
        assertNull(store.claim("k", first));
        assertSame(first, store.claim("k", IdempotencyRecord.inFlight("f")));
        store.release("k", first);
        IdempotencyRecord second = IdempotencyRecord.inFlight("f");
        assertNull(store.claim("k", second));
        store.finish("k", second, IdempotencyRecord.done("f", new StoredReply(201, "Created", new DefaultHttpHeaders(),
                new byte[3])));
        assertEquals(IdempotencyRecord.State.DONE, store.claim("k", IdempotencyRecord.inFlight("f")).state());
    }

    @Test
    void itIsACamelIdempotentRepository() {
        IdempotencyStore store = new IdempotencyStore("s", 1 << 20, 60);
        assertTrue(store.add("a"));
        assertFalse(store.add("a"));
        assertTrue(store.contains("a"));
        assertTrue(store.confirm("a"));
        assertTrue(store.remove("a"));
        assertFalse(store.contains("a"));
    }

    @Test
    void theStoreKeepsItsBooksOnTheCallingThread() throws InterruptedException {
        IdempotencyStore store = new IdempotencyStore("s", 1 << 20, 60);
        try (BusyCommonPool busy = new BusyCommonPool()) {
            assertNull(store.claim("k", IdempotencyRecord.inFlight("f")));
            // counted before claim returned, though the common pool could not have done it
            assertTrue(store.bytes() > 0, "weighted " + store.bytes());
        }
    }

    @Test
    void aMillionKeysStayWithinTheByteBound() {
        long maxBytes = 8L * 1024 * 1024;
        IdempotencyStore store = new IdempotencyStore("s", maxBytes, 3600);
        for (int i = 0; i < 1_000_000; i++) {
            IdempotencyRecord record = IdempotencyRecord.inFlight("f" + i);
            store.claim("route 127.0.0.1 key-" + i, record);
            store.finish("route 127.0.0.1 key-" + i, record, IdempotencyRecord.done("f" + i,
                    new StoredReply(200, "OK", new DefaultHttpHeaders(), new byte[100])));
        }
        store.size();
        assertTrue(store.bytes() <= maxBytes, "weighted " + store.bytes());
        assertTrue(store.size() < 100_000, "entries " + store.size());
    }
}
