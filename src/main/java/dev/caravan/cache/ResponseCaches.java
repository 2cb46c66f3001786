package dev.caravan.cache;

import com.github.benmanes.caffeine.cache.Cache;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every named response cache of a Camel context (the registry bean {@value #BEAN}): caches are made on first use by a
 * {@code caravan-cache:} step and kept for the context's life, so they survive route reloads. Each cache's Caffeine
 * cache is bound in the registry under the cache's name, where camel-caffeine's {@code caffeine-cache:<name>}
 * endpoint looks first.
 */
public final class ResponseCaches {

    public static final String BEAN = "caravanResponseCaches";

    private final Map<String, ResponseCache> caches = new ConcurrentHashMap<>();

    /** The context's caches, made and bound on first use. */
    public static ResponseCaches of(CamelContext context) {
        Registry registry = context.getRegistry();
        synchronized (registry) {
            ResponseCaches caches = registry.lookupByNameAndType(BEAN, ResponseCaches.class);
            if (caches == null) {
                caches = new ResponseCaches();
                registry.bind(BEAN, ResponseCaches.class, caches);
            }
            return caches;
        }
    }

    /**
     * The cache of this name (made with {@code maxBytes} if new), bound as a Caffeine {@code Cache} under its name in
     * {@code context}'s registry. Called when an endpoint is made, so a {@code caffeine-cache:} endpoint of any route
     * finds it when it starts.
     */
    ResponseCache obtain(CamelContext context, String name, long maxBytes) {
        ResponseCache cache = caches.computeIfAbsent(name, n -> new ResponseCache(n, maxBytes));
        Registry registry = context.getRegistry();
        synchronized (registry) {
            if (registry.lookupByNameAndType(name, Cache.class) != cache.caffeine()) {
                registry.bind(name, Cache.class, cache.caffeine());
            }
        }
        return cache;
    }

    /** The cache of this name, or null (for admin and metrics). */
    public ResponseCache get(String name) {
        return caches.get(name);
    }

    public Map<String, ResponseCache> all() {
        return Map.copyOf(caches);
    }
}
