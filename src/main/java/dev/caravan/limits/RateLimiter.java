package dev.caravan.limits;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.atomic.LongAdder;

/**
 * One named limit: its policy, its buckets, and counters of what it allowed and rejected (rejections are counted,
 * never logged one by one: a flood must not turn into a flood of log lines). Thread-safe; shared by every step that
 * names it.
 */
public final class RateLimiter {

    /** Keys longer than this are stored by digest, so a client cannot make a bucket's key large. */
    static final int MAX_KEY_CHARS = 64;

    private final String name;
    private final RatePolicy policy;
    private final BucketStore store;
    private final LongAdder allowed = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    public RateLimiter(String name, RatePolicy policy, BucketStore store) {
        this.name = name;
        this.policy = policy;
        this.store = store;
    }

    /** Takes one request from {@code key}'s bucket. */
    public Decision check(String key) {
        Decision decision = store.take(key.length() > MAX_KEY_CHARS ? digest(key) : key);
        (decision.allowed() ? allowed : rejected).increment();
        return decision;
    }

    private static String digest(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    public String name() {
        return name;
    }

    public RatePolicy policy() {
        return policy;
    }

    /** Requests allowed since the limit was declared. */
    public long allowed() {
        return allowed.sum();
    }

    /** Requests rejected (answered 429) since the limit was declared. */
    public long rejected() {
        return rejected.sum();
    }

    /** Keys with a bucket right now. */
    public long keys() {
        return store.keys();
    }

    BucketStore store() {
        return store;
    }

    @Override
    public String toString() {
        return "rate limit '" + name + "' (" + policy + ", allowed " + allowed() + ", rejected " + rejected() + ")";
    }
}
