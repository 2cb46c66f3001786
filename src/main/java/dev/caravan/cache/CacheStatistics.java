package dev.caravan.cache;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one cache, for metrics: lookups that hit or missed, stale answers, stores, and bytes stored. */
public final class CacheStatistics {

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder staleServed = new LongAdder();
    private final LongAdder revalidated = new LongAdder();
    private final LongAdder stored = new LongAdder();
    private final LongAdder storedBytes = new LongAdder();
    private final LongAdder collapsed = new LongAdder();

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void servedStale() {
        staleServed.increment();
    }

    void confirmed() {
        revalidated.increment();
    }

    void stored(long bytes) {
        stored.increment();
        storedBytes.add(bytes);
    }

    void waited() {
        collapsed.increment();
    }

    /** Requests answered from the cache without the backend (fresh, or stale while revalidating). */
    public long hits() {
        return hits.sum();
    }

    /** Lookups that went to the backend (no entry, a stale one, or one the request could not use). */
    public long misses() {
        return misses.sum();
    }

    /** Stale responses served (stale-while-revalidate, stale-if-error). */
    public long staleServed() {
        return staleServed.sum();
    }

    /** Stored responses the backend confirmed with a 304. */
    public long revalidated() {
        return revalidated.sum();
    }

    /** Responses stored. */
    public long stored() {
        return stored.sum();
    }

    /** Body bytes stored, in total since start. */
    public long storedBytes() {
        return storedBytes.sum();
    }

    /** Requests that waited for another's fill instead of going to the backend. */
    public long collapsed() {
        return collapsed.sum();
    }
}
