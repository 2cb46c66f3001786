package dev.caravan.health;

import dev.caravan.balance.Backend;
import dev.caravan.http.EventLoops;
import dev.caravan.tls.BackendTls;

import java.util.HashMap;
import java.util.Map;

/**
 * The running health checks, one per backend and check path however many routes ask for it. They belong to the
 * server, so a route reload that keeps a backend keeps its check and its verdict; the last route to let go of a check
 * stops it.
 */
public final class HealthChecks implements AutoCloseable {

    private final EventLoops loops;
    private final BackendTls tls;
    private final Map<String, Running> running = new HashMap<>();

    /** {@code tls} checks {@code https://} backends the way requests reach them. */
    public HealthChecks(EventLoops loops, BackendTls tls) {
        this.loops = loops;
        this.tls = tls;
    }

    /**
     * Starts (or joins) the check of {@code backend} with these settings; returns the key to {@link #release(String)}
     * it with. Routes that check the same backend differently each get their own check (none silently wins), and the
     * backend counts as up only while all of them say so.
     */
    public synchronized String acquire(Backend backend, HealthSettings settings) {
        String key = backend.target().origin() + " " + settings;
        Running check = running.get(key);
        if (check == null) {
            check = new Running(new HealthProbe(backend, settings, loops, tls));
            running.put(key, check);
            check.probe.start();
        }
        check.users++;
        return key;
    }

    public synchronized void release(String key) {
        Running check = running.get(key);
        if (check != null && --check.users <= 0) {
            check.probe.stop();
            running.remove(key);
        }
    }

    @Override
    public synchronized void close() {
        running.values().forEach(r -> r.probe.stop());
        running.clear();
    }

    private static final class Running {
        private final HealthProbe probe;
        private int users;

        Running(HealthProbe probe) {
            this.probe = probe;
        }
    }
}
