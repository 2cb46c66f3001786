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
    // observe: every ejection since start (ejections() counts the current run only)
    private final java.util.concurrent.atomic.AtomicLong ejectionsTotal = new java.util.concurrent.atomic.AtomicLong();
    /** The verdict of each active health check on this backend (several routes may check different paths). */
    private final java.util.Map<Object, Boolean> probeVerdicts = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean probedUp = true;
    private volatile long probedUpSince = Long.MIN_VALUE;
    private final String id;

    Backend(BackendTarget target) {
        this.target = target;
        this.id = opaqueId(target.origin());
    }

    /** A stable name for affinity cookies that does not spell out the backend's address. */
    public String id() {
        return id;
    }

    private static String opaqueId(String origin) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(origin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nanoseconds since the backend last came back (from an ejection or a failed health check); large if never left. */
    long availableFor(long now) {
        long since = Math.max(probedUpSince, ejectedUntil);
        return since == Long.MIN_VALUE ? Long.MAX_VALUE : now - since;
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

    /** What the active health checks last concluded: up unless one of them says down (up until a check says). */
    public boolean isProbedUp() {
        return probedUp;
    }

    /** The verdict of one check (by its key); the backend is probed up while every check's verdict is up. */
    public synchronized void probeVerdict(Object check, boolean up) {
        probeVerdicts.put(check, up);
        recompute();
    }

    /** A check stopped (no route asks for it any more): its verdict no longer counts. */
    public synchronized void forgetProbe(Object check) {
        probeVerdicts.remove(check);
        recompute();
    }

    /** This check's own verdict (true until it concluded otherwise). */
    public boolean probeVerdictOf(Object check) {
        return probeVerdicts.getOrDefault(check, true);
    }

    private void recompute() {
        boolean up = !probeVerdicts.containsValue(false);
        if (up && !probedUp) {
            probedUpSince = System.nanoTime();
        }
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
        ejectionsTotal.incrementAndGet(); // observe
        consecutiveFailures.set(0);
    }

    /** Ejections since the process started (observe: a monotonic counter for metrics). */
    public long ejectionsTotal() {
        return ejectionsTotal.get();
    }

    @Override
    public String toString() {
        return target.origin();
    }
}
