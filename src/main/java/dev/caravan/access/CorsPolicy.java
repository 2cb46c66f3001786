package dev.caravan.access;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One route's CORS policy (Fetch standard): which origins may read its responses, and what a preflight allows. The
 * gateway owns the CORS headers of the route: the backend's own are removed, so it cannot grant more than the policy.
 */
final class CorsPolicy {

    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    static final String MAX_AGE = "Access-Control-Max-Age";
    private static final List<String> ALL = List.of(ALLOW_ORIGIN, ALLOW_CREDENTIALS, ALLOW_METHODS, ALLOW_HEADERS,
            EXPOSE_HEADERS, MAX_AGE);
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#\\s]+");

    private final boolean anyOrigin;
    private final Set<String> exactOrigins = new LinkedHashSet<>();
    private final List<Pattern> originPatterns = new ArrayList<>();
    private final Set<String> methods = new LinkedHashSet<>();
    private final boolean anyHeader;
    private final Set<String> headers = new LinkedHashSet<>();
    private final String exposedHeaders;
    private final boolean credentials;
    private final long maxAge;

    CorsPolicy(String origins, String methods, String headers, String exposedHeaders, boolean credentials,
               long maxAge) {
        boolean any = false;
        for (String entry : origins.split(",")) {
            String origin = entry.trim().toLowerCase(Locale.ROOT);
            if (origin.isEmpty()) {
                continue;
            }
            if (origin.equals("*")) {
                any = true;
            } else if (origin.equals("null") || ORIGIN.matcher(origin).matches()) {
                if (origin.contains("*")) {
                    originPatterns.add(pattern(origin));
                } else {
                    exactOrigins.add(origin);
                }
            } else {
                throw new IllegalArgumentException("origins: '" + entry.trim() + "' is not an origin (scheme://host"
                        + "[:port], no path, e.g. https://app.example.com)");
            }
        }
        if (!any && exactOrigins.isEmpty() && originPatterns.isEmpty()) {
            throw new IllegalArgumentException("origins: at least one origin, pattern or * is needed");
        }
        if (any && credentials) {
            throw new IllegalArgumentException("origins: * with credentials would let every site act as the user;"
                    + " list the origins or patterns");
        }
        this.anyOrigin = any;
        for (String method : methods.split(",")) {
            if (!method.isBlank()) {
                this.methods.add(HeaderNames.require(method.trim(), "methods"));
            }
        }
        boolean anyHeaderName = false;
        for (String header : headers.split(",")) {
            String name = header.trim();
            if (name.equals("*")) {
                anyHeaderName = true;
            } else if (!name.isEmpty()) {
                this.headers.add(HeaderNames.require(name, "headers").toLowerCase(Locale.ROOT));
            }
        }
        this.anyHeader = anyHeaderName;
        this.exposedHeaders = String.join(", ", HeaderNames.list(exposedHeaders, "exposedHeaders"));
        if (maxAge < 0) {
            throw new IllegalArgumentException("maxAge: must not be negative, was " + maxAge);
        }
        this.credentials = credentials;
        this.maxAge = maxAge;
    }

    /** {@code *} stands for one or more characters of a host name or port, nothing else (no {@code /}, {@code @}). */
    private static Pattern pattern(String origin) {
        StringBuilder regex = new StringBuilder();
        for (String part : origin.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[a-z0-9.-]+");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    boolean allowsOrigin(String origin) {
        if (anyOrigin) {
            return true;
        }
        String lower = origin.toLowerCase(Locale.ROOT);
        if (exactOrigins.contains(lower)) {
            return true;
        }
        for (Pattern pattern : originPatterns) {
            if (pattern.matcher(lower).matches()) {
                return true;
            }
        }
        return false;
    }

    boolean allowsMethod(String method) {
        return methods.contains(method.trim());
    }

    /** True if every header a preflight asks for ({@code Access-Control-Request-Headers}) is allowed. */
    boolean allowsHeaders(String requested) {
        if (anyHeader || requested == null) {
            return true;
        }
        for (String name : requested.split(",")) {
            String trimmed = name.trim().toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty() && !headers.contains(trimmed)) {
                return false;
            }
        }
        return true;
    }

    /** The headers of a preflight answer that allows {@code origin}. */
    void preflightHeaders(HttpHeaders response, String origin, String requestedHeaders) {
        actualHeaders(response, origin);
        response.remove(EXPOSE_HEADERS);
        response.set(ALLOW_METHODS, String.join(", ", methods));
        String allowed = anyHeader ? requestedHeaders : String.join(", ", headers);
        if (allowed != null && !allowed.isBlank()) {
            response.set(ALLOW_HEADERS, allowed.trim());
        }
        response.set(MAX_AGE, Long.toString(maxAge));
        vary(response, "Access-Control-Request-Method");
        vary(response, "Access-Control-Request-Headers");
    }

    /**
     * The CORS headers of an actual response: the backend's own removed, then (for an allowed origin, else null)
     * the policy's, and {@code Vary: Origin} in any case, so a cache never hands one origin's answer to another.
     */
    void actualHeaders(HttpHeaders response, String allowedOrigin) {
        ALL.forEach(response::remove);
        if (allowedOrigin != null) {
            response.set(ALLOW_ORIGIN, anyOrigin && !credentials ? "*" : allowedOrigin);
            if (credentials) {
                response.set(ALLOW_CREDENTIALS, "true");
            }
            if (!exposedHeaders.isEmpty()) {
                response.set(EXPOSE_HEADERS, exposedHeaders);
            }
        }
        vary(response, "Origin");
    }

    /** Adds a name to {@code Vary} unless it (or {@code *}) is there already. */
    static void vary(HttpHeaders response, String name) {
        for (String value : response.getAll("Vary")) {
            for (String token : value.split(",")) {
                String trimmed = token.trim();
                if (trimmed.equals("*") || trimmed.equalsIgnoreCase(name)) {
                    return;
                }
            }
        }
        response.add("Vary", name);
    }
}
