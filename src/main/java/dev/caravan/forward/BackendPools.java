package dev.caravan.forward;

import dev.caravan.http.EventLoops;
import dev.caravan.tls.BackendTls;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every backend pool in the process, by origin and settings. It belongs to the server, not to routes, so pooled
 * connections survive a route reload.
 */
public final class BackendPools implements AutoCloseable {

    private final EventLoops loops;
    private final BackendTls tls;
    private final Map<String, BackendPool> pools = new ConcurrentHashMap<>();
    private final Map<String, H2BackendPool> h2Pools = new ConcurrentHashMap<>();

    /** {@code tls} connects to {@code https://} backends. */
    public BackendPools(EventLoops loops, BackendTls tls) {
        this.loops = loops;
        this.tls = tls;
    }

    /**
     * The pool for this origin and these settings. Routes that name the same backend with different pool settings
     * each get their own pool, so no route's settings silently replace another's.
     */
    public BackendPool pool(BackendTarget target, PoolSettings settings) {
        return pools.computeIfAbsent(target.origin() + " " + settings,
                o -> new BackendPool(target, loops, settings, target.secure() ? tls : null));
    }

    /**
     * The connections for this origin, settings and protocol: {@code http1} keep-alive connections, or HTTP/2
     * ({@code h2c} in clear, {@code h2} over TLS) connections shared by concurrent requests as streams.
     */
    ConnectionSource pool(BackendTarget target, PoolSettings settings, String protocol) {
        if (protocol.equals(ForwardConfiguration.HTTP1)) {
            return pool(target, settings);
        }
        return h2Pools.computeIfAbsent(protocol + " " + target.origin() + " " + settings,
                o -> new H2BackendPool(target, loops, settings, target.secure() ? tls : null));
    }

    /** Every pool (observe: pool metrics). */
    public java.util.Collection<BackendPool> all() {
        return java.util.List.copyOf(pools.values());
    }

    @Override
    public void close() {
        pools.values().forEach(BackendPool::close);
        pools.clear();
        h2Pools.values().forEach(H2BackendPool::close);
        h2Pools.clear();
    }
}
