package dev.caravan.observe;

import java.util.Locale;

/** The two access-log line formats: nginx "combined" with Caravan's fields appended, and JSON lines. */
public enum AccessLogFormat {
    COMBINED,
    JSON;

    /** Parses {@code combined} or {@code json}, naming {@code option} when it is neither. */
    public static AccessLogFormat parse(String option, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "combined" -> COMBINED;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException(option + " must be combined or json, was '" + value + "'");
        };
    }
}
