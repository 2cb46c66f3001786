package dev.caravan.forward;

import dev.caravan.http.EventLoops;
import dev.caravan.tls.BackendTls;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every backend pool in the process, by origin. It belongs to the server, not to routes, so pooled connections
 * survive a route reload; a reloaded route with new pool settings updates the pool in place.
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

    public BackendPool pool(BackendTarget target, PoolSettings settings) {
        BackendPool pool = pools.computeIfAbsent(target.origin(),
                o -> new BackendPool(target, loops, settings, target.secure() ? tls : null));
        pool.update(settings);
        return pool;
    }

    @Override
    public void close() {
        pools.values().forEach(BackendPool::close);
        pools.clear();
    }
}
