package dev.caravan.observe;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A row of counters that event loops add to without sharing a cache line: each thread has its own copy (one writer,
 * so an add is a plain read and a release store) and a reader sums the copies. For the counters every request
 * touches; a scrape, once in a while, pays for the sum.
 */
final class ThreadShards {

    private final int slots;
    private final List<AtomicLongArray> shards = new CopyOnWriteArrayList<>();
    private final ThreadLocal<AtomicLongArray> mine = ThreadLocal.withInitial(this::newShard);

    ThreadShards(int slots) {
        this.slots = slots;
    }

    private AtomicLongArray newShard() {
        AtomicLongArray shard = new AtomicLongArray(slots);
        shards.add(shard);
        return shard;
    }

    /** This thread's copy, for several adds in a row. */
    AtomicLongArray mine() {
        return mine.get();
    }

    /** Adds to this thread's copy: only the owning thread may call it with the copy {@link #mine()} returned. */
    static void add(AtomicLongArray shard, int slot, long n) {
        shard.lazySet(slot, shard.get(slot) + n);
    }

    long sum(int slot) {
        long sum = 0;
        for (AtomicLongArray shard : shards) {
            sum += shard.get(slot);
        }
        return sum;
    }
}
