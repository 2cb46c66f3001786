package dev.caravan.http;

import java.util.Locale;

/** The host named by a {@code Host} header, in the one form used for matching and for routes. */
public final class HostHeader {

    private HostHeader() {
    }

    /** Lower case, without port ({@code Api.Example.com:8080} → {@code api.example.com}); empty when absent. */
    public static String hostOf(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String host = hostHeader.trim();
        int colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
        if (colon > 0) {
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
