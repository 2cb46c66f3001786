package dev.caravan.cache;

import dev.caravan.compress.AcceptEncoding;
import dev.caravan.http.HeaderMap;
import io.netty.handler.codec.DateFormatter;

import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the cache needs to know about a request, read once from the headers the route has at the cache step (so edits
 * of earlier steps, such as a tenant header the backend varies on, count): its {@code Cache-Control} (or none, when
 * the route ignores clients'), {@code Authorization}, conditionals, {@code Range}, and the normalised values of the
 * headers a stored response varies on.
 */
final class RequestFacts {

    /** Codings that can appear in {@code Content-Encoding}; {@code Accept-Encoding} is normalised to this subset. */
    static final List<String> KNOWN_CODINGS = List.of("br", "compress", "deflate", "gzip", "zstd");
    private static final String ABSENT = "\u0000";
    /** The pseudo-header under which a variant keeps the route's key expression value. */
    static final String KEY_PART = "(key)";

    private final Map<String, Object> headers;
    private final CacheControl cacheControl;
    private final boolean pragmaNoCache;
    private final Map<String, String> varyValues = new HashMap<>(4);
    private AcceptEncoding acceptEncoding;
    private String keyPart;

    /** @param headers the route's message headers at the cache step (a snapshot: the caller must not change them) */
    RequestFacts(Map<String, Object> headers, boolean honourCacheControl) {
        this.headers = headers;
        CacheControl cc = honourCacheControl ? CacheControl.parse(all("Cache-Control")) : CacheControl.NONE;
        this.cacheControl = cc;
        // HTTP/1.0's Pragma: no-cache counts only without Cache-Control (RFC 9111 5.4)
        this.pragmaNoCache = honourCacheControl && cc.isEmpty() && CacheControl.parse(all("Pragma")).has("no-cache");
    }

    private RequestFacts(Map<String, Object> headers, CacheControl cacheControl, boolean pragmaNoCache) {
        this.headers = headers;
        this.cacheControl = cacheControl;
        this.pragmaNoCache = pragmaNoCache;
    }

    /** Every value of a header (a header sent twice is a list in a Camel message). */
    List<String> all(String name) {
        Object value = headers.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof Iterable<?> values) {
            List<String> list = new java.util.ArrayList<>();
            values.forEach(v -> list.add(String.valueOf(v)));
            return list;
        }
        return List.of(String.valueOf(value));
    }

    String first(String name) {
        List<String> values = all(name);
        return values.isEmpty() ? null : values.get(0);
    }

    CacheControl cacheControl() {
        return cacheControl;
    }

    /** {@code no-cache} from the client (or {@code Pragma: no-cache}): do not answer from the cache unvalidated. */
    boolean noCache() {
        return pragmaNoCache || cacheControl.has("no-cache");
    }

    boolean noStore() {
        return cacheControl.has("no-store");
    }

    boolean onlyIfCached() {
        return cacheControl.has("only-if-cached");
    }

    boolean hasAuthorization() {
        return headers.containsKey("Authorization");
    }

    boolean hasRange() {
        return headers.containsKey("Range");
    }

    boolean isConditional() {
        return headers.containsKey("If-None-Match") || headers.containsKey("If-Modified-Since")
                || headers.containsKey("If-Match") || headers.containsKey("If-Unmodified-Since")
                || headers.containsKey("If-Range");
    }

    AcceptEncoding acceptEncoding() {
        if (acceptEncoding == null) {
            List<String> values = all("Accept-Encoding");
            acceptEncoding = AcceptEncoding.parse(values.isEmpty() ? null : String.join(",", values));
        }
        return acceptEncoding;
    }

    /**
     * The value of the route's {@code key} expression for this request, or null. It is kept like a header the
     * response varies on (under {@link #KEY_PART}), so the key itself stays the URI and invalidation stays exact.
     */
    void keyPart(String value) {
        this.keyPart = value;
    }

    String keyPart() {
        return keyPart;
    }

    /** A copy that does not change when the route's message does (the response replaces its headers). */
    RequestFacts snapshot() {
        RequestFacts copy = new RequestFacts(new HeaderMap(headers), cacheControl, pragmaNoCache);
        copy.keyPart = keyPart;
        return copy;
    }

    /** The value this request has for a header a response varies on, normalised (RFC 9111 4.1 allows it). */
    String varyValue(String lowerCaseName) {
        return varyValues.computeIfAbsent(lowerCaseName, this::normalise);
    }

    private String normalise(String name) {
        if (name.equals(KEY_PART)) {
            return keyPart == null ? ABSENT : keyPart;
        }
        if (name.equals("accept-encoding")) {
            return acceptEncoding().acceptedAmong(KNOWN_CODINGS);
        }
        List<String> values = all(name);
        if (values.isEmpty()) {
            return ABSENT;
        }
        StringBuilder joined = new StringBuilder();
        for (String value : values) {
            for (String element : value.split(",")) {
                if (joined.length() > 0) {
                    joined.append(',');
                }
                joined.append(element.trim().replaceAll("\\s+", " "));
            }
        }
        return joined.toString();
    }

    /**
     * The client's own conditional against a stored response (RFC 9110 13.2.2): true when it asks for a 304.
     * {@code If-None-Match} (weak comparison, {@code *} matches anything) wins over {@code If-Modified-Since}.
     */
    boolean notModified(StoredResponse entry) {
        List<String> inm = all("If-None-Match");
        if (!inm.isEmpty()) {
            if (entry.etag() == null) {
                return inm.stream().anyMatch(v -> v.trim().equals("*"));
            }
            String stored = opaque(entry.etag());
            for (String line : inm) {
                for (String tag : line.split(",")) {
                    String t = tag.trim();
                    if (t.equals("*") || opaque(t).equals(stored)) {
                        return true;
                    }
                }
            }
            return false;
        }
        String ims = first("If-Modified-Since");
        if (ims == null) {
            return false;
        }
        Date since = DateFormatter.parseHttpDate(ims);
        if (since == null) {
            return false;
        }
        long validator = entry.lastModified() >= 0 ? entry.lastModified() : entry.dateMillis();
        return validator >= 0 && validator <= since.getTime();
    }

    /** An entity tag without its weakness marker, for weak comparison. */
    static String opaque(String etag) {
        String t = etag.trim();
        return t.regionMatches(true, 0, "W/", 0, 2) ? t.substring(2) : t;
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
