package dev.caravan.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.caravan.http.ProxyExchange;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One named response cache: a Caffeine cache of {@link Variants} by key, bounded by the bytes it holds (a weigher over
 * bodies and headers) and expiring each key when none of its variants is of use any more; the fills in flight (for
 * request collapsing); and its counters. Shared by every route that names it, it outlives route reloads. The
 * Caffeine cache is also a registry bean under the cache's name, so {@code caffeine-cache:<name>} can inspect or
 * invalidate it from a route.
 */
public final class ResponseCache {

    private final String name;
    private final Cache<String, Variants> entries;
    private final Map<String, Fill> fills = new ConcurrentHashMap<>();
    private final Map<ProxyExchange, Fill> background = new ConcurrentHashMap<>();
    private final Set<String> routes = ConcurrentHashMap.newKeySet();
    private final CacheStatistics statistics = new CacheStatistics();
    private final LongSupplier clock;
    private volatile BodyFiles files; // where large bodies go; null: every body in direct memory

    public ResponseCache(String name, long maxBytes) {
        this(name, maxBytes, System::currentTimeMillis);
    }

    ResponseCache(String name, long maxBytes, LongSupplier clock) {
        this.name = name;
        this.clock = clock;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, Variants value) -> value.weight())
                .expireAfter(new Expiry<String, Variants>() {
                    @Override
                    public long expireAfterCreate(String key, Variants value, long currentTime) {
                        return nanosLeft(value);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Variants value, long currentTime, long currentDuration) {
                        return nanosLeft(value);
                    }

                    @Override
                    public long expireAfterRead(String key, Variants value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                // maintenance (evictions, expiry) on the calling thread, an event loop: the default hands it to the
                // common pool, which woke a thread and fought over the eviction lock on a busy core (9% of the CPU
                // of cache hits on one core), and let the cache run past its bound until the pool caught up
                .executor(Runnable::run)
                .build();
    }

    private long nanosLeft(Variants value) {
        long millis = value.retainUntil() - clock.getAsLong();
        return millis <= 0 ? 0 : Math.min(Long.MAX_VALUE / 1_000_000, millis) * 1_000_000;
    }

    public String name() {
        return name;
    }

    /** The Caffeine cache itself (what {@code caffeine-cache:} endpoints find under this cache's name). */
    public Cache<String, Variants> caffeine() {
        return entries;
    }

    public CacheStatistics statistics() {
        return statistics;
    }

    /** Bytes held now (the weigher's sum). */
    public long bytes() {
        return entries.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    public long entryCount() {
        return entries.estimatedSize();
    }

    /**
     * Keeps bodies of at least {@code minSize} bytes in files in {@code dir} from now on (a blank dir: none); the last
     * route started decides, as for the bound. Bodies already stored stay where they are.
     */
    synchronized void keepBodiesIn(String dir, int minSize) {
        if (dir.isBlank()) {
            files = null;
        } else if (files == null || !files.keepsIn(Path.of(dir), minSize)) {
            files = new BodyFiles(Path.of(dir), minSize);
        }
    }

    /** A stored body of the first {@code length} bytes of {@code source}, in a file when it is large enough. */
    CachedBody keep(byte[] source, int length) {
        BodyFiles kept = files;
        return kept == null ? CachedBody.copyOf(source, length) : kept.store(source, length);
    }

    /** Changes the byte bound (a route reload with a new {@code maxBytes}); Caffeine evicts down to it. */
    void resize(long maxBytes) {
        entries.policy().eviction().ifPresent(e -> {
            if (e.getMaximum() != maxBytes) {
                e.setMaximum(maxBytes);
            }
        });
    }

    long now() {
        return clock.getAsLong();
    }

    Variants get(String key) {
        return entries.getIfPresent(key);
    }

    void store(String key, StoredResponse entry) {
        long now = clock.getAsLong();
        entries.asMap().compute(key, (k, old) -> old == null ? Variants.of(k, entry) : old.with(k, entry, now));
        statistics.stored(entry.body().length());
    }

    /** Removes a key (all its variants); returns whether it was there. */
    public boolean invalidate(String key) {
        return entries.asMap().remove(key) != null;
    }

    /** Removes every key that starts with {@code prefix}; returns how many. */
    public int invalidatePrefix(String prefix) {
        int[] removed = {0};
        entries.asMap().keySet().removeIf(key -> {
            boolean match = key.startsWith(prefix);
            if (match) {
                removed[0]++;
            }
            return match;
        });
        return removed[0];
    }

    // ---- fills in flight (collapsing, one background revalidation per key)

    /** The fill in flight for a key, or null. */
    Fill fillInFlight(String key) {
        return fills.get(key);
    }

    /** Becomes the fill for a key: returns the new fill, or null when another request already fills it. */
    Fill lead(String key) {
        Fill fill = new Fill();
        return fills.putIfAbsent(key, fill) == null ? fill : null;
    }

    /** The fill ended (after the response was stored, if it was): waiters look again or go to the backend. */
    void endFill(String key, Fill fill, boolean stored) {
        fills.remove(key, fill);
        fill.complete(stored);
    }

    /** Marks a request the cache made itself to refresh a key in the background, with the fill it holds. */
    void markBackground(ProxyExchange exchange, Fill fill) {
        background.put(exchange, fill);
    }

    /** The fill a background refresh holds, or null for an ordinary request (read once). */
    Fill takeBackground(ProxyExchange exchange) {
        return background.isEmpty() ? null : background.remove(exchange);
    }

    // ---- routes using this cache (an unsafe method invalidates a URI in each of them)

    void routeUses(String routeId) {
        routes.add(routeId);
    }

    Set<String> routes() {
        return routes;
    }
}
