package dev.caravan.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Buckets in this process, in a Caffeine cache: at most {@code maxKeys} of them (Caffeine's W-TinyLFU keeps the keys
 * that come back often when a flood of new ones arrives), each forgotten once it has not been used for the time it
 * takes to fill, when it is full again and so equal to a new one. Memory stays bounded whatever keys clients send.
 */
final class LocalBucketStore implements BucketStore {

    private final TokenBucket bucket;
    private final Ticker ticker;
    private final Cache<String, AtomicLong> buckets;

    LocalBucketStore(RatePolicy policy, long maxKeys, Ticker ticker) {
        this.bucket = new TokenBucket(policy);
        this.ticker = ticker;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(Duration.ofNanos(policy.capacityNanos()))
                .ticker(ticker)
                // evictions run on the calling thread (an event loop): a few pointer moves, and no hand-off to the
                // common pool that would let the cache run past its bound under a flood
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Decision take(String key) {
        AtomicLong tat = buckets.get(key, k -> new AtomicLong(TokenBucket.NEW));
        return bucket.take(tat, ticker.read());
    }

    @Override
    public long keys() {
        return buckets.estimatedSize();
    }

    @Override
    public void cleanUp() {
        buckets.cleanUp();
    }
}
