package dev.caravan.idempotent;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Duration;

/**
 * The idempotency keys of one store: a Caffeine cache of {@link IdempotencyRecord}s that expire a fixed time after
 * they were written and are bounded by the bytes they hold (replies included). It is also a Camel
 * {@link IdempotentRepository} (a key is added when its first request arrives, confirmed when its reply is kept,
 * removed when its request failed), so Camel's {@code idempotentConsumer} EIP can use the same keys.
 */
public final class IdempotencyStore extends ServiceSupport implements IdempotentRepository {

    private final String name;
    private final Cache<String, IdempotencyRecord> records;

    public IdempotencyStore(String name, long maxBytes, long ttlSeconds) {
        this.name = name;
        this.records = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, IdempotencyRecord record) -> record.weight() + 2 * key.length())
                .expireAfterWrite(Duration.ofSeconds(ttlSeconds))
                // maintenance on the calling thread, as in the response cache: no hand-off to the common pool
                .executor(Runnable::run)
                .build();
    }

    public String name() {
        return name;
    }

    /** Changes the bounds (a route reload with new options); the last route started decides. */
    void configure(long maxBytes, long ttlSeconds) {
        records.policy().eviction().ifPresent(e -> e.setMaximum(maxBytes));
        records.policy().expireAfterWrite().ifPresent(e -> e.setExpiresAfter(Duration.ofSeconds(ttlSeconds)));
    }

    /** Claims a key for a first request; returns the record already there (a duplicate), or null when claimed. */
    IdempotencyRecord claim(String key, IdempotencyRecord inFlight) {
        return records.asMap().putIfAbsent(key, inFlight);
    }

    /** The first request's reply is kept (or marked too large): duplicates now get it. */
    void finish(String key, IdempotencyRecord inFlight, IdempotencyRecord finished) {
        records.asMap().replace(key, inFlight, finished);
        inFlight.end();
    }

    /** The first request failed without a backend reply: the key is free again. */
    void release(String key, IdempotencyRecord inFlight) {
        records.asMap().remove(key, inFlight);
        inFlight.end();
    }

    public long size() {
        records.cleanUp();
        return records.estimatedSize();
    }

    public long bytes() {
        return records.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    // ---- Camel's IdempotentRepository, over the same keys

    @Override
    public boolean add(String key) {
        return records.asMap().putIfAbsent(key, IdempotencyRecord.inFlight("")) == null;
    }

    @Override
    public boolean contains(String key) {
        return records.asMap().containsKey(key);
    }

    @Override
    public boolean remove(String key) {
        IdempotencyRecord removed = records.asMap().remove(key);
        if (removed != null) {
            removed.end();
        }
        return removed != null;
    }

    @Override
    public boolean confirm(String key) {
        return records.asMap().containsKey(key);
    }

    @Override
    public void clear() {
        records.asMap().values().forEach(IdempotencyRecord::end);
        records.invalidateAll();
    }
}
