package dev.caravan.forward;

import java.net.URI;
import java.util.Locale;

/**
 * One backend base URL, such as {@code http://10.0.0.5:8080/v1} or {@code https://api.internal/v1}: where to connect,
 * whether over TLS, and which path to put in front of the forwarded request path.
 */
public final class BackendTarget {

    private final String scheme;
    private final String host;
    private final int port;
    private final String basePath;
    // made once: every forwarded request names its backend's authority and origin
    private final String authority;
    private final String origin;

    private BackendTarget(String scheme, String host, int port, String basePath) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.basePath = basePath;
        this.authority = port == defaultPort(scheme) ? host : host + ":" + port;
        this.origin = scheme + "://" + authority;
    }

    public static BackendTarget parse(String url) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid backend URL '" + url + "': " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("Backend URL '" + url + "' must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("Backend URL '" + url + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("Backend URL '" + url + "' may not have a query or fragment");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : defaultPort(scheme);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new BackendTarget(scheme, uri.getHost(), port, path);
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    public String scheme() {
        return scheme;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The path put in front of the forwarded request path ("" for none; never ends with "/"). */
    public String basePath() {
        return basePath;
    }

    /** True when connections to this backend use TLS. */
    public boolean secure() {
        return scheme.equals("https");
    }

    /** Identifies the connection pool: scheme, host and port (plain and TLS connections never share a pool). */
    public String origin() {
        return origin;
    }

    /** The ways a backend may spell its own origin in a URL: with its port, and without a default one. */
    public java.util.List<String> originSpellings() {
        java.util.List<String> spellings = new java.util.ArrayList<>();
        spellings.add(scheme + "://" + host + ":" + port);
        if (port == defaultPort(scheme)) {
            spellings.add(scheme + "://" + host);
        }
        return spellings;
    }

    /** The value for a {@code Host} header naming this backend. */
    public String authority() {
        return authority;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackendTarget that && port == that.port && scheme.equals(that.scheme)
                && host.equals(that.host) && basePath.equals(that.basePath);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(scheme, host, port, basePath);
    }

    @Override
    public String toString() {
        return origin + basePath;
    }
}
