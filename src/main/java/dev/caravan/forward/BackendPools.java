package dev.caravan.forward;

import dev.caravan.http.EventLoops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every backend pool in the process, by origin. It belongs to the server, not to routes, so pooled connections
 * survive a route reload; a reloaded route with new pool settings updates the pool in place.
 */
public final class BackendPools implements AutoCloseable {

    private final EventLoops loops;
    private final Map<String, BackendPool> pools = new ConcurrentHashMap<>();

    public BackendPools(EventLoops loops) {
        this.loops = loops;
    }

    public BackendPool pool(BackendTarget target, PoolSettings settings) {
        BackendPool pool = pools.computeIfAbsent(target.origin(), o -> new BackendPool(target, loops, settings));
        pool.update(settings);
        return pool;
    }

    @Override
    public void close() {
        pools.values().forEach(BackendPool::close);
        pools.clear();
    }
}
