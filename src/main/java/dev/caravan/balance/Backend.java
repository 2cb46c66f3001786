package dev.caravan.balance;

import dev.caravan.forward.BackendTarget;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend's live state: requests in flight and passive health. It is shared by every route that names the same
 * origin and kept in {@link Backends} outside the routes, so a route reload keeps the counts and ejections.
 */
public final class Backend {

    private final BackendTarget target;
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile long ejectedUntil = Long.MIN_VALUE;
    private volatile int ejections;
    private volatile boolean probedUp = true;

    Backend(BackendTarget target) {
        this.target = target;
    }

    public BackendTarget target() {
        return target;
    }

    public int inflight() {
        return inflight.get();
    }

    public void started() {
        inflight.incrementAndGet();
    }

    public void finished() {
        inflight.decrementAndGet();
    }

    public boolean isEjected(long now) {
        return now < ejectedUntil;
    }

    /** May take requests: not marked down by an active health check and not ejected for failing. */
    public boolean isAvailable(long now) {
        return probedUp && !isEjected(now);
    }

    /** What the active health check last concluded (true until a check says otherwise). */
    public boolean isProbedUp() {
        return probedUp;
    }

    public void probedUp(boolean up) {
        this.probedUp = up;
    }

    /** Nanoseconds until the ejection ends (0 if not ejected). */
    long ejectedFor(long now) {
        return Math.max(0, ejectedUntil - now);
    }

    public int ejections() {
        return ejections;
    }

    /** A request got an answer the backend is responsible for (anything but a failure): it is healthy again. */
    public void succeeded() {
        consecutiveFailures.set(0);
        ejections = 0;
    }

    /**
     * Counts a failure; returns true when this one reaches the threshold, so the caller may eject the backend (if the
     * pool can spare it).
     */
    boolean failed(int threshold) {
        return consecutiveFailures.incrementAndGet() >= threshold;
    }

    /** Ejects for a cool-down that doubles with each ejection in a row (up to 32 times the base). */
    void eject(long now, long baseMillis) {
        int times = Math.min(ejections, 5);
        ejectedUntil = now + TimeUnit.MILLISECONDS.toNanos(baseMillis << times);
        ejections++;
        consecutiveFailures.set(0);
    }

    @Override
    public String toString() {
        return target.origin();
    }
}
