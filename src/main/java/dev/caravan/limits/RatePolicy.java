package dev.caravan.limits;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What one limit allows: {@code rate} requests per {@code period}, with bursts of up to {@code burst} requests. As a
 * token bucket: it holds {@code burst} tokens, refills one every {@link #intervalNanos()}, and a request takes one.
 *
 * @param rate   requests per period (at least 1)
 * @param period the period's length in seconds (1, 60 or 3600)
 * @param burst  the bucket's size: requests a client that has been quiet may send at once (at least 1)
 */
public record RatePolicy(long rate, long period, long burst) {

    public RatePolicy {
        if (rate < 1) {
            throw new IllegalArgumentException("rate must be at least 1 per period, was " + rate);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
        long interval = TimeUnit.SECONDS.toNanos(period) / rate;
        if (interval < 1) {
            throw new IllegalArgumentException("rate is too high: " + rate + " per " + period + " s");
        }
        if (burst > Long.MAX_VALUE / 4 / interval) {
            throw new IllegalArgumentException("burst " + burst + " is too large for a rate of " + rate + " per "
                    + period + " s");
        }
    }

    /**
     * Parses {@code rate}: a count with an optional unit, {@code 100}, {@code 100/s}, {@code 600/m} (or
     * {@code /min}), {@code 10000/h}; {@code burst} null means one period's worth ({@code rate}).
     */
    public static RatePolicy parse(String rate, Long burst) {
        if (rate == null || rate.isBlank()) {
            throw new IllegalArgumentException("rate is required, e.g. rate=100/s, rate=600/m or rate=10000/h");
        }
        String text = rate.trim().toLowerCase(Locale.ROOT);
        int slash = text.indexOf('/');
        String count = slash < 0 ? text : text.substring(0, slash).trim();
        String unit = slash < 0 ? "s" : text.substring(slash + 1).trim();
        long period = switch (unit) {
            case "s", "sec", "second" -> 1;
            case "m", "min", "minute" -> 60;
            case "h", "hour" -> 3600;
            default -> throw new IllegalArgumentException("rate must read <count>/s, <count>/m or <count>/h, was '"
                    + rate + "'");
        };
        long perPeriod = number(count, rate);
        return new RatePolicy(perPeriod, period, burst == null ? perPeriod : burst);
    }

    private static long number(String digits, String rate) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rate must be a whole number with an optional /s, /m or /h, was '"
                    + rate + "'");
        }
    }

    /** Nanoseconds between two tokens. */
    public long intervalNanos() {
        return TimeUnit.SECONDS.toNanos(period) / rate;
    }

    /** Nanoseconds an empty bucket takes to fill: also how long a key's state matters after its last request. */
    public long capacityNanos() {
        return burst * intervalNanos();
    }

    /** The window of the {@code RateLimit-Policy} field: whole seconds to refill the bucket, rounded up, at least 1. */
    public long windowSeconds() {
        return Math.max(1, ceilSeconds(capacityNanos()));
    }

    static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }

    @Override
    public String toString() {
        return rate + "/" + switch ((int) period) {
            case 1 -> "s";
            case 60 -> "m";
            default -> "h";
        } + " burst " + burst;
    }
}
