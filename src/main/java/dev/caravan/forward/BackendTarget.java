package dev.caravan.forward;

import java.net.URI;
import java.util.Locale;

/**
 * One backend base URL, such as {@code http://10.0.0.5:8080/v1}: where to connect and which path to put in front of
 * the forwarded request path.
 */
public record BackendTarget(String scheme, String host, int port, String basePath) {

    public static BackendTarget parse(String url) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid backend URL '" + url + "': " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException("Backend URL '" + url + "' must start with http://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("Backend URL '" + url + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("Backend URL '" + url + "' may not have a query or fragment");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new BackendTarget(scheme, uri.getHost(), port, path);
    }

    /** Identifies the connection pool: scheme, host and port. */
    public String origin() {
        return scheme + "://" + authority();
    }

    /** The value for a {@code Host} header naming this backend. */
    public String authority() {
        return port == 80 ? host : host + ":" + port;
    }
}
