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

    /** Every pool (observe: pool metrics). */
    public java.util.Collection<BackendPool> all() {
        return java.util.List.copyOf(pools.values());
    }

    @Override
    public void close() {
        pools.values().forEach(BackendPool::close);
        pools.clear();
    }
}
