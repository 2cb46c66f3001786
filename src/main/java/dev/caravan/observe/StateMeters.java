package dev.caravan.observe;

import dev.caravan.balance.Backend;
import dev.caravan.balance.Backends;
import dev.caravan.cache.CacheStatistics;
import dev.caravan.cache.ResponseCache;
import dev.caravan.cache.ResponseCaches;
import dev.caravan.config.RouteReloader;
import dev.caravan.forward.BackendPool;
import dev.caravan.forward.BackendPools;
import dev.caravan.limits.RateLimitComponent;
import dev.caravan.limits.RateLimiter;
import dev.caravan.limits.RateLimits;
import dev.caravan.tls.CertificateStore;
import dev.caravan.tls.ServedCertificate;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.camel.CamelContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Meters over the server's own state, read when scraped: backends (health, in flight, ejections, pool connections),
 * route reloads, certificates, rate limits and response caches. Backends and limits appear as routes name them, so {@link #refresh()}
 * (called before every scrape) registers the ones not seen before; every label value comes from configuration.
 */
final class StateMeters {

    private final MeterRegistry registry;
    private final Backends backends;
    private final BackendPools pools;
    private final Supplier<RouteReloader> reloader;
    private final CertificateStore certificates;
    private final CamelContext context;
    private final Set<String> knownBackends = ConcurrentHashMap.newKeySet();
    private final Set<String> knownLimits = ConcurrentHashMap.newKeySet();
    private final Set<String> knownCaches = ConcurrentHashMap.newKeySet();
    private final MultiGauge certificateDays;

    StateMeters(MeterRegistry registry, Backends backends, BackendPools pools, Supplier<RouteReloader> reloader,
                CertificateStore certificates, CamelContext context) {
        this.registry = registry;
        this.backends = backends;
        this.pools = pools;
        this.reloader = reloader;
        this.certificates = certificates;
        this.context = context;
        this.certificateDays = MultiGauge.builder("caravan.certificate.expiry")
                .baseUnit("days").description("Days until each served certificate expires (negative: expired)")
                .register(registry);
        FunctionCounter.builder("caravan.reloads", this, m -> m.applied()).tag("result", "applied")
                .description("Route/properties changes applied or rejected since start").register(registry);
        FunctionCounter.builder("caravan.reloads", this, m -> m.rejected()).tag("result", "rejected")
                .description("Route/properties changes applied or rejected since start").register(registry);
        Gauge.builder("caravan.routes.generation", this, m -> m.generation())
                .description("The live route generation (1 after start, +1 per applied change)").register(registry);
    }

    private double applied() {
        RouteReloader r = reloader.get();
        return r == null ? 0 : Math.max(0, r.generation() - 1);
    }

    private double rejected() {
        RouteReloader r = reloader.get();
        return r == null ? 0 : r.rejectedChanges();
    }

    private double generation() {
        RouteReloader r = reloader.get();
        return r == null ? 0 : r.generation();
    }

    /** Registers meters for backends and limits that appeared since the last call; re-reads the certificates. */
    void refresh() {
        for (Backend backend : backends.all()) {
            String origin = backend.target().origin();
            if (knownBackends.add(origin)) {
                register(backend, origin);
            }
        }
        if (context.hasComponent("caravan-rate-limit") instanceof RateLimitComponent component) {
            RateLimits limits = component.limits();
            for (String name : limits.names()) {
                if (knownLimits.add(name)) {
                    registerLimit(limits, name);
                }
            }
        }
        ResponseCaches caches = ResponseCaches.of(context);
        for (String name : caches.all().keySet()) {
            if (knownCaches.add(name)) {
                registerCache(caches, name);
            }
        }
        if (certificates != null) {
            Instant now = Instant.now();
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (ServedCertificate certificate : certificates.served()) {
                double days = Duration.between(now, certificate.leaf().getNotAfter().toInstant()).toSeconds() / 86400.0;
                rows.add(MultiGauge.Row.of(Tags.of("name", certificate.name()), days));
            }
            certificateDays.register(rows, true);
        }
    }

    private void register(Backend backend, String origin) {
        Gauge.builder("caravan.backend.up", backend, b -> b.isAvailable(System.nanoTime()) ? 1 : 0)
                .tag("backend", origin)
                .description("1 while the backend may take requests (not marked down by health checks, not ejected)")
                .register(registry);
        Gauge.builder("caravan.backend.inflight", backend, Backend::inflight).tag("backend", origin)
                .description("Requests in flight on the backend").register(registry);
        FunctionCounter.builder("caravan.backend.ejections", backend, Backend::ejectionsTotal).tag("backend", origin)
                .description("Times the backend was ejected for failing").register(registry);
        Gauge.builder("caravan.backend.pool.connections", this, m -> m.poolConnections(origin, false))
                .tags("backend", origin, "state", "idle")
                .description("Pooled backend connections, idle (kept for reuse) or active (in use)").register(registry);
        Gauge.builder("caravan.backend.pool.connections", this, m -> m.poolConnections(origin, true))
                .tags("backend", origin, "state", "active")
                .description("Pooled backend connections, idle (kept for reuse) or active (in use)").register(registry);
    }

    /** Summed over the pools of one origin (routes with other pool settings get pools of their own). */
    private double poolConnections(String origin, boolean active) {
        int sum = 0;
        for (BackendPool pool : pools.all()) {
            if (pool.origin().equals(origin)) {
                int idle = pool.idleConnections();
                sum += active ? Math.max(0, pool.openConnections() - idle) : idle;
            }
        }
        return sum;
    }

    /** A response cache's own counters (caravan-cache), by cache name, read when scraped. */
    private void registerCache(ResponseCaches caches, String name) {
        String help = "Response cache lookups: hit (answered from the cache, fresh or stale while revalidating), miss"
                + " (went to the backend), stale (a stale answer served), collapsed (waited for another request's fill)";
        cacheCounter(caches, name, "caravan.cache.requests", "result", "hit", CacheStatistics::hits, help);
        cacheCounter(caches, name, "caravan.cache.requests", "result", "miss", CacheStatistics::misses, help);
        cacheCounter(caches, name, "caravan.cache.requests", "result", "stale", CacheStatistics::staleServed, help);
        cacheCounter(caches, name, "caravan.cache.requests", "result", "collapsed", CacheStatistics::collapsed, help);
        cacheCounter(caches, name, "caravan.cache.revalidated", null, null, CacheStatistics::revalidated,
                "Stored responses the backend confirmed with a 304");
        cacheCounter(caches, name, "caravan.cache.stores", null, null, CacheStatistics::stored, "Responses stored");
        FunctionCounter.builder("caravan.cache.stored", caches, c -> cacheValue(c, name, CacheStatistics::storedBytes))
                .baseUnit("bytes").tag("cache", name).description("Body bytes stored since start").register(registry);
        Gauge.builder("caravan.cache.size", caches, c -> {
                    ResponseCache cache = c.get(name);
                    return cache == null ? 0 : cache.bytes();
                }).baseUnit("bytes").tag("cache", name).description("Bytes held by the cache now").register(registry);
        Gauge.builder("caravan.cache.entries", caches, c -> {
                    ResponseCache cache = c.get(name);
                    return cache == null ? 0 : cache.entryCount();
                }).tag("cache", name).description("Entries (keys) in the cache now").register(registry);
    }

    private void cacheCounter(ResponseCaches caches, String name, String meter, String tag, String value,
                              java.util.function.ToLongFunction<CacheStatistics> read, String help) {
        FunctionCounter.Builder<ResponseCaches> builder = FunctionCounter.builder(meter, caches,
                c -> cacheValue(c, name, read)).tag("cache", name).description(help);
        if (tag != null) {
            builder.tag(tag, value);
        }
        builder.register(registry);
    }

    private static double cacheValue(ResponseCaches caches, String name,
                                     java.util.function.ToLongFunction<CacheStatistics> read) {
        ResponseCache cache = caches.get(name);
        return cache == null ? 0 : read.applyAsLong(cache.statistics());
    }

    /** By name: a limit re-declared with new settings is a new limiter, and its counts start again (a reset). */
    private void registerLimit(RateLimits limits, String name) {
        FunctionCounter.builder("caravan.rate.limit.decisions", limits, l -> count(l.get(name), true))
                .tags("limit", name, "decision", "allowed")
                .description("Requests a named rate limit allowed or rejected (429)").register(registry);
        FunctionCounter.builder("caravan.rate.limit.decisions", limits, l -> count(l.get(name), false))
                .tags("limit", name, "decision", "rejected")
                .description("Requests a named rate limit allowed or rejected (429)").register(registry);
    }

    private static double count(RateLimiter limiter, boolean allowed) {
        if (limiter == null) {
            return 0;
        }
        return allowed ? limiter.allowed() : limiter.rejected();
    }
}
