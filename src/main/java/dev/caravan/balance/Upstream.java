package dev.caravan.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A group of backends behind one forwarding step: which backend takes a request ({@link BalancePolicy}), which are
 * ejected for failing (passive health), and whether a failed request may be retried on another.
 */
public final class Upstream {

    private final List<Backend> backends;
    private final BalancePolicy policy;
    private final UpstreamSettings settings;
    private final RetryBudget budget;
    /** The slow-start ramp ({@code slowStartMillis}) in nanoseconds; 0 = off. */
    private final long slowStartNanos;

    public Upstream(List<Backend> backends, BalancePolicy policy, UpstreamSettings settings) {
        this.backends = List.copyOf(backends);
        this.policy = policy;
        this.settings = settings;
        this.budget = new RetryBudget(settings.retryBudget());
        this.slowStartNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(settings.slowStartMillis());
    }

    public List<Backend> backends() {
        return backends;
    }

    public UpstreamSettings settings() {
        return settings;
    }

    public void requestStarted() {
        budget.requestStarted();
    }

    /** A backend not tried yet for this request and not ejected, or null when there is none. */
    public Backend choose(String affinityKey, Set<Backend> tried) {
        long now = System.nanoTime();
        if (tried.isEmpty() && allTakePart(now)) {
            return policy.choose(backends, affinityKey); // the usual case: no list of candidates is made
        }
        List<Backend> candidates = new ArrayList<>(backends.size());
        for (Backend backend : backends) {
            if (!tried.contains(backend) && backend.isAvailable(now)) {
                candidates.add(backend);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        return policy.choose(warmingUp(candidates, now), affinityKey);
    }

    /** Every backend is available and past its slow start. */
    private boolean allTakePart(long now) {
        for (Backend backend : backends) {
            if (!backend.isAvailable(now) || (slowStartNanos > 0 && backend.availableFor(now) < slowStartNanos)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Slow start: a backend that just came back takes part only in a share of choices that grows from 10% to 100% over
     * {@code slowStartMillis}, so a cold backend is not flooded. If chance leaves none, all candidates stay.
     */
    private List<Backend> warmingUp(List<Backend> candidates, long now) {
        if (slowStartNanos <= 0) {
            return candidates;
        }
        List<Backend> admitted = new ArrayList<>(candidates.size());
        for (Backend backend : candidates) {
            long age = backend.availableFor(now);
            double share = age >= slowStartNanos ? 1.0 : Math.max(0.1, (double) age / slowStartNanos);
            if (share >= 1.0 || java.util.concurrent.ThreadLocalRandom.current().nextDouble() < share) {
                admitted.add(backend);
            }
        }
        return admitted.isEmpty() ? candidates : admitted;
    }

    /** The backend an affinity cookie names, if it may take a request now. */
    public Backend byId(String id, Set<Backend> tried) {
        long now = System.nanoTime();
        for (Backend backend : backends) {
            if (backend.id().equals(id) && !tried.contains(backend) && backend.isAvailable(now)) {
                return backend;
            }
        }
        return null;
    }

    /** True if another attempt is allowed now (attempts left, budget left, another backend available). */
    public boolean mayRetry(int attemptsSoFar, Set<Backend> tried) {
        if (attemptsSoFar >= settings.maxAttempts() || !budget.hasToken()) {
            return false;
        }
        long now = System.nanoTime();
        for (Backend backend : backends) {
            if (!tried.contains(backend) && backend.isAvailable(now)) {
                return true;
            }
        }
        return false;
    }

    /** For {@code Retry-After} when every backend is ejected: seconds until the first comes back. */
    public int secondsUntilOneReturns() {
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (Backend backend : backends) {
            soonest = Math.min(soonest, backend.ejectedFor(now));
        }
        return (int) Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(soonest) + 1);
    }

    /** Spends the budget for one retry. */
    public boolean takeRetry() {
        return budget.take();
    }

    /** The backend answered; 502/503/504 count as failures of the backend. */
    public void responded(Backend backend, int status) {
        if (status == 502 || status == 503 || status == 504) {
            failed(backend);
        } else {
            backend.succeeded();
        }
    }

    /** The backend failed (could not connect, timed out, closed, or answered 502/503/504). */
    public void failed(Backend backend) {
        if (!backend.failed(settings.failureThreshold())) {
            return;
        }
        long now = System.nanoTime();
        int ejected = 0;
        for (Backend other : backends) {
            if (other.isEjected(now)) {
                ejected++;
            }
        }
        if ((ejected + 1) * 100 <= settings.maxEjectionPercent() * backends.size()) {
            backend.eject(now, settings.ejectMillis());
        }
    }
}
