package dev.caravan.limits;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * The fields that tell a client where it stands with one limit. {@code draft}: the IETF httpapi RateLimit fields,
 * {@code RateLimit-Policy: "name";q=<burst>;w=<seconds to refill it>} and {@code RateLimit: "name";r=<remaining>;t=<s>}
 * (one list item per limit, so stacked limits each add theirs); {@code t} is the seconds until the bucket is full
 * again, or on a rejection the same as {@code Retry-After}. {@code legacy}: {@code RateLimit-Limit}, {@code
 * -Remaining}, {@code -Reset} from earlier drafts, which hold one limit only, so the one with the fewest requests
 * left wins. {@code none}: only {@code Retry-After} on a 429.
 */
final class RateLimitHeaders {

    enum Form { DRAFT, LEGACY, NONE }

    static final String POLICY = "RateLimit-Policy";
    static final String RATE_LIMIT = "RateLimit";
    static final String LEGACY_LIMIT = "RateLimit-Limit";
    static final String LEGACY_REMAINING = "RateLimit-Remaining";
    static final String LEGACY_RESET = "RateLimit-Reset";

    private final Form form;
    private final String quotedName;
    private final String policyItem;
    private final String burst;

    RateLimitHeaders(String name, RatePolicy policy, Form form) {
        this.form = form;
        this.quotedName = '"' + name + '"'; // names are tokens (checked by the configuration): nothing to escape
        this.policyItem = quotedName + ";q=" + policy.burst() + ";w=" + policy.windowSeconds();
        this.burst = Long.toString(policy.burst());
    }

    static Form form(String option) {
        return switch (option) {
            case "draft" -> Form.DRAFT;
            case "legacy" -> Form.LEGACY;
            case "none" -> Form.NONE;
            default -> throw new IllegalArgumentException("headers must be draft, legacy or none, was '" + option
                    + "'");
        };
    }

    boolean isNone() {
        return form == Form.NONE;
    }

    /** Adds this limit's fields for {@code decision} to {@code headers} (a 429 answer, or a response head). */
    void write(HttpHeaders headers, Decision decision) {
        long reset = decision.allowed() ? decision.untilFullSeconds() : decision.retryAfterSeconds();
        switch (form) {
            case DRAFT -> {
                headers.add(POLICY, policyItem);
                headers.add(RATE_LIMIT, quotedName + ";r=" + decision.remaining() + ";t=" + reset);
            }
            case LEGACY -> {
                String shown = headers.get(LEGACY_REMAINING);
                if (shown == null || lessThan(decision.remaining(), shown)) {
                    headers.set(LEGACY_LIMIT, burst);
                    headers.set(LEGACY_REMAINING, decision.remaining());
                    headers.set(LEGACY_RESET, reset);
                }
            }
            case NONE -> {
            }
        }
    }

    private static boolean lessThan(long remaining, String shown) {
        try {
            return remaining < Long.parseLong(shown.trim());
        } catch (NumberFormatException e) {
            return true; // a backend's own malformed value: ours is at least well-formed
        }
    }
}
