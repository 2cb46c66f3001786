package dev.caravan.limits;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket kept in one {@code long} per key, in the form of the generic cell rate algorithm: the state is the
 * bucket's "theoretical arrival time" (TAT), the moment it would be full again. A request at {@code now} is allowed
 * when taking one more token keeps the TAT within the bucket's capacity ahead of {@code now}; then the TAT moves one
 * interval on. One compare-and-set, no lock, no timer: a bucket untouched for its capacity time is full again and
 * equal to a new one, which is why stores may forget it.
 */
final class TokenBucket {

    /** The state of a bucket no request has used yet. */
    static final long NEW = Long.MIN_VALUE;

    private final long interval;
    private final long capacity;

    TokenBucket(RatePolicy policy) {
        this.interval = policy.intervalNanos();
        this.capacity = policy.capacityNanos();
    }

    Decision take(AtomicLong tat, long now) {
        while (true) {
            long current = tat.get();
            long next = Math.max(current, now) + interval;
            long ahead = next - now;
            if (ahead > capacity) {
                // current > now here (a full bucket always has a token), so these differences cannot overflow
                return new Decision(false, 0, current - now, ahead - capacity);
            }
            if (tat.compareAndSet(current, next)) {
                return new Decision(true, (capacity - ahead) / interval, ahead, 0);
            }
        }
    }
}
