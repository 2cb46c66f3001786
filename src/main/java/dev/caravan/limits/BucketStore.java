package dev.caravan.limits;

/**
 * Where the buckets of one limit live, one per key. {@link LocalBucketStore} keeps them in this process, bounded in
 * number and forgotten once full again; a store shared by several gateways (Redis, with the same algorithm as a
 * script) can take its place behind this interface.
 */
public interface BucketStore {

    /** Takes a token from {@code key}'s bucket if it has one, and says how the bucket stands afterwards. */
    Decision take(String key);

    /** Buckets held right now (an estimate for stores that evict lazily). */
    long keys();

    /** Performs pending evictions and expiries now (tests and idle limits; the store also does it as it goes). */
    void cleanUp();
}
