package dev.caravan.http;

import java.util.Locale;

/** The host named by a {@code Host} header, in the one form used for matching and for routes. */
public final class HostHeader {

    private HostHeader() {
    }

    /**
     * True for a {@code Host} value that is a host and optional port as RFC 3986 defines them (reg-name, IPv4 or
     * bracketed IPv6, digits for the port), or empty. Anything else ({@code evil.com#}, {@code a@b}, {@code a/b},
     * spaces) would otherwise end up in redirects, logs and backend requests.
     */
    public static boolean isValid(String value) {
        String host = value;
        int end = host.length();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return false;
            }
            for (int i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                    return false;
                }
            }
            return close + 1 == end || (host.charAt(close + 1) == ':' && isPort(host, close + 2, end));
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            if (!isPort(host, colon + 1, end)) {
                return false;
            }
            end = colon;
        }
        for (int i = 0; i < end; i++) {
            char c = host.charAt(i);
            boolean unreserved = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '~');
            boolean subDelim = "!$&'()*+,;=".indexOf(c) >= 0;
            boolean percent = c == '%' && i + 2 < end && Character.digit(host.charAt(i + 1), 16) >= 0
                    && Character.digit(host.charAt(i + 2), 16) >= 0;
            if (!unreserved && !subDelim && !percent) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPort(String value, int from, int to) {
        if (to - from > 5) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Lower case, without port and without the root's trailing dot ({@code Api.Example.com.:8080} →
     * {@code api.example.com}); empty when absent. This is the name routes, rules and SNI compare.
     */
    public static String hostOf(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String host = hostHeader.trim();
        int colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
        if (colon > 0) {
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
