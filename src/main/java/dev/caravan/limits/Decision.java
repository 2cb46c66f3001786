package dev.caravan.limits;

/**
 * The answer of a bucket to one request.
 *
 * @param allowed         a token was taken: the request may go on
 * @param remaining       tokens left after this request (0 when rejected)
 * @param untilFullNanos  nanoseconds until the bucket is full again
 * @param retryAfterNanos when rejected, nanoseconds until a request would be allowed; 0 when allowed
 */
public record Decision(boolean allowed, long remaining, long untilFullNanos, long retryAfterNanos) {

    /** Whole seconds a rejected client should wait ({@code Retry-After}), rounded up, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, RatePolicy.ceilSeconds(retryAfterNanos));
    }

    /** Whole seconds until the bucket is full again, rounded up. */
    public long untilFullSeconds() {
        return RatePolicy.ceilSeconds(untilFullNanos);
    }
}
