package dev.caravan.listen;

import java.util.Locale;

/**
 * A {@code Host} to match: any ({@code *} or empty), exact ({@code api.example.com}) or a wildcard for every
 * subdomain ({@code *.example.com}, like nginx's {@code server_name}). Matching ignores case and the port.
 */
public final class HostPattern {

    private final String exact;
    private final String suffix;

    private HostPattern(String exact, String suffix) {
        this.exact = exact;
        this.suffix = suffix;
    }

    public static HostPattern parse(String pattern) {
        if (pattern == null || pattern.isBlank() || pattern.equals("*")) {
            return new HostPattern(null, null);
        }
        String lower = pattern.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith("*.")) {
            return new HostPattern(null, lower.substring(1));
        }
        if (lower.contains("*")) {
            throw new IllegalArgumentException("Host pattern '" + pattern + "' may only start with '*.'");
        }
        return new HostPattern(lower, null);
    }

    public boolean matches(String host) {
        if (exact != null) {
            return exact.equals(host);
        }
        if (suffix != null) {
            return host.endsWith(suffix) && host.length() > suffix.length();
        }
        return true;
    }

    /** Higher is more specific: exact beats wildcard, a longer wildcard beats a shorter one, any comes last. */
    int specificity() {
        if (exact != null) {
            return Integer.MAX_VALUE;
        }
        return suffix != null ? suffix.length() : 0;
    }

    @Override
    public String toString() {
        return exact != null ? exact : suffix != null ? "*" + suffix : "*";
    }
}
