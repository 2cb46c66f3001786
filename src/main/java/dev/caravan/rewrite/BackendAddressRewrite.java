package dev.caravan.rewrite;

import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What nginx's {@code proxy_redirect} and {@code proxy_cookie_domain}/{@code _path} do: a backend that names its own
 * address in {@code Location}, {@code Content-Location} or {@code Refresh} (an absolute URL on its origin, or a path
 * under its base path) has it rewritten to the address the client used; cookie {@code Domain} and {@code Path}
 * attributes can be mapped too.
 *
 * @param backendOrigins the backend's own origins ({@code http://10.0.0.5:8080}, also without a default port)
 * @param backendBase    the base path of the backend URL ({@code /v1}, or empty)
 * @param publicPrefix   what the client's path had in front of it (the route's {@code stripPrefix}, or empty)
 * @param cookieDomain   {@code from:to} for cookie domains, or null
 * @param cookiePath     {@code from:to} for cookie path prefixes, or null
 */
public record BackendAddressRewrite(List<String> backendOrigins, String backendBase, String publicPrefix,
                                    String[] cookieDomain, String[] cookiePath) {

    private static final String[] LOCATION_HEADERS = {"Location", "Content-Location"};
    /** As AsciiStrings: every relayed head is asked for each, and their hashes are made once, not per request. */
    private static final AsciiString[] REWRITTEN = {AsciiString.cached("Location"),
            AsciiString.cached("Content-Location"), AsciiString.cached("Refresh"), AsciiString.cached("Set-Cookie")};
    private static final AsciiString SET_COOKIE = REWRITTEN[3];

    /** Parses a {@code from:to} option; null when empty. */
    public static String[] mapping(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        int colon = value.indexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(name + " must read from:to, was '" + value + "'");
        }
        return new String[] {value.substring(0, colon).trim(), value.substring(colon + 1).trim()};
    }

    /** Rewrites the response headers of a relayed answer for a client that asked {@code scheme://authority}. */
    public void apply(Map<String, Object> headers, String clientScheme, String clientAuthority) {
        String publicBase = clientScheme + "://" + clientAuthority + publicPrefix;
        for (String name : LOCATION_HEADERS) {
            Object value = headers.get(name);
            if (value instanceof String location) {
                headers.put(name, location(location, publicBase));
            }
        }
        if (headers.get("Refresh") instanceof String refresh) {
            int url = refresh.toLowerCase(Locale.ROOT).indexOf("url=");
            if (url >= 0) {
                headers.put("Refresh", refresh.substring(0, url + 4) + location(refresh.substring(url + 4).trim(),
                        publicBase));
            }
        }
        if (cookieDomain != null || cookiePath != null) {
            Object cookies = headers.get("Set-Cookie");
            if (cookies instanceof String one) {
                headers.put("Set-Cookie", cookie(one));
            } else if (cookies instanceof Iterable<?> many) {
                List<Object> mapped = new ArrayList<>();
                many.forEach(c -> mapped.add(cookie(String.valueOf(c))));
                headers.put("Set-Cookie", mapped);
            }
        }
    }

    /**
     * The same on a response head (a forward-only route relays heads without a header map): only the headers it
     * rewrites are read into one, and only when the head has any.
     */
    public void apply(io.netty.handler.codec.http.HttpHeaders headers, String clientScheme, String clientAuthority) {
        Map<String, Object> affected = null;
        for (AsciiString name : REWRITTEN) {
            if (name == SET_COOKIE && cookieDomain == null && cookiePath == null) {
                continue;
            }
            if (!headers.contains(name)) {
                continue; // every relayed head asks: no list of values for an absent header
            }
            List<String> values = headers.getAll(name);
            if (!values.isEmpty()) {
                if (affected == null) {
                    affected = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                }
                affected.put(name.toString(), values.size() == 1 ? values.get(0) : new ArrayList<Object>(values));
            }
        }
        if (affected == null) {
            return;
        }
        Map<String, Object> before = new java.util.HashMap<>(affected);
        apply(affected, clientScheme, clientAuthority);
        affected.forEach((name, value) -> {
            if (value.equals(before.get(name))) {
                return; // unchanged: left where it was in the head
            }
            if (value instanceof Iterable<?> values) {
                headers.set(name, values);
            } else {
                headers.set(name, value);
            }
        });
    }

    private String location(String location, String publicBase) {
        for (String origin : backendOrigins) {
            if (location.regionMatches(true, 0, origin, 0, origin.length())) {
                String rest = location.substring(origin.length());
                if (rest.isEmpty() || rest.startsWith("/") || rest.startsWith("?")) {
                    return publicBase + withoutBase(rest.isEmpty() ? "/" : rest);
                }
            }
        }
        if (location.startsWith("/") && !location.startsWith("//") && !backendBase.isEmpty()
                && underBase(location)) {
            return publicPrefix + withoutBase(location);
        }
        return location;
    }

    private boolean underBase(String path) {
        return path.startsWith(backendBase) && (path.length() == backendBase.length()
                || path.charAt(backendBase.length()) == '/' || path.charAt(backendBase.length()) == '?');
    }

    private String withoutBase(String path) {
        if (backendBase.isEmpty() || !underBase(path)) {
            return path;
        }
        String rest = path.substring(backendBase.length());
        return rest.isEmpty() || rest.startsWith("?") ? "/" + rest : rest;
    }

    private String cookie(String setCookie) {
        String[] parts = setCookie.split(";", -1);
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim();
            int eq = attribute.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = attribute.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = attribute.substring(eq + 1).trim();
            if (key.equals("domain") && cookieDomain != null && value.replaceFirst("^\\.", "")
                    .equalsIgnoreCase(cookieDomain[0].replaceFirst("^\\.", ""))) {
                parts[i] = " Domain=" + cookieDomain[1];
            } else if (key.equals("path") && cookiePath != null && value.startsWith(cookiePath[0])) {
                parts[i] = " Path=" + cookiePath[1] + value.substring(cookiePath[0].length());
            }
        }
        return String.join(";", parts);
    }
}
