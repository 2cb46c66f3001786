package dev.caravan.balance;

/**
 * Caps retries to a share of the traffic (a token bucket filled by requests, emptied by retries), so a failing pool
 * does not get a retry storm. A few tokens to start with let a quiet gateway retry at all.
 */
final class RetryBudget {

    private static final double CAPACITY = 10;

    private final double perRequest;
    private double tokens = CAPACITY;

    RetryBudget(double perRequest) {
        this.perRequest = perRequest;
    }

    synchronized void requestStarted() {
        tokens = Math.min(CAPACITY, tokens + perRequest);
    }

    synchronized boolean hasToken() {
        return tokens >= 1;
    }

    synchronized boolean take() {
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
