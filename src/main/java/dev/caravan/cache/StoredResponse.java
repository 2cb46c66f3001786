package dev.caravan.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One stored response (one variant of one key): status, headers and body as they will be served, the request header
 * values its {@code Vary} selects on, and the times and directives that decide how long it may be used. Immutable;
 * a revalidation makes a new one ({@link CachePolicy#refresh}).
 *
 * @param headers               the response headers without {@code Age}, {@code Content-Length} and framing
 * @param vary                  request header (lower case) → normalised value this variant was stored for
 * @param dateMillis            its {@code Date} in epoch ms (set to the arrival time when the backend sent none)
 * @param responseMillis        when the response arrived (RFC 9111 4.2.3 {@code response_time})
 * @param correctedInitialAge   age in ms when it arrived ({@code corrected_initial_age})
 * @param lifetimeMillis        freshness lifetime in ms (0: stale at once)
 * @param noCache               {@code no-cache}: revalidate before every use
 * @param noStale               {@code must-revalidate}, {@code proxy-revalidate} or {@code s-maxage}: never serve stale
 * @param authorizedUse         {@code public}, {@code s-maxage} or {@code must-revalidate}: may answer a request with
 *                              {@code Authorization} (RFC 9111 3.5)
 * @param staleWhileRevalidate  ms it may be served stale while it is refreshed in the background (RFC 5861)
 * @param staleIfError          ms it may be served stale when the backend fails
 * @param etag                  the entity tag, or null
 * @param lastModified          {@code Last-Modified} in epoch ms, or -1
 * @param contentEncoding       the content coding (lower case), or null for identity
 * @param retainUntil           epoch ms after which the entry is of no use (fresh, stale windows, revalidation)
 */
public record StoredResponse(int status, String reason, HttpHeaders headers, CachedBody body, Map<String, String> vary,
                             long dateMillis, long responseMillis, long correctedInitialAge, long lifetimeMillis, boolean noCache,
                             boolean noStale, boolean authorizedUse, long staleWhileRevalidate, long staleIfError,
                             String etag, long lastModified, String contentEncoding, long retainUntil) {

    /** What a 304 carries of the stored response (RFC 9110 15.4.5). */
    private static final Set<String> NOT_MODIFIED_HEADERS = Set.of("cache-control", "content-location", "date", "etag",
            "expires", "vary");

    /** Bytes this entry holds, roughly: body (outside the heap), headers, vary values, a fixed overhead for objects. */
    public int weight() {
        long weight = 320L + body.length();
        for (Map.Entry<String, String> header : headers) {
            weight += 48 + 2L * (header.getKey().length() + header.getValue().length());
        }
        for (Map.Entry<String, String> v : vary.entrySet()) {
            weight += 48 + 2L * (v.getKey().length() + v.getValue().length());
        }
        return (int) Math.min(Integer.MAX_VALUE, weight);
    }

    /** RFC 9111 4.2.3 {@code current_age} in ms. */
    public long ageMillis(long now) {
        return correctedInitialAge + Math.max(0, now - responseMillis);
    }

    /** Freshness left in ms; negative: stale for that long. */
    public long freshForMillis(long now) {
        return lifetimeMillis - ageMillis(now);
    }

    public boolean isFresh(long now) {
        return freshForMillis(now) > 0;
    }

    public boolean hasValidators() {
        return etag != null || lastModified >= 0;
    }

    /**
     * This variant may answer the request: the headers it varies on have the same (normalised) values, its content
     * coding is one the client accepts, and a request with {@code Authorization} is answered only by a response that
     * allows it (RFC 9111 3.5).
     */
    boolean selectableFor(RequestFacts request) {
        for (Map.Entry<String, String> v : vary.entrySet()) {
            if (!v.getValue().equals(request.varyValue(v.getKey()))) {
                return false;
            }
        }
        if (contentEncoding != null && !request.acceptEncoding().accepts(contentEncoding)) {
            return false;
        }
        return authorizedUse || !request.hasAuthorization();
    }

    /**
     * Writes the headers of a response served from this one: all of them with the body's length, or for a 304 only
     * those RFC 9110 15.4.5 asks for; and the current {@code Age}.
     */
    void writeHeaders(HttpHeaders target, boolean notModified, long now) {
        if (notModified) {
            for (Map.Entry<String, String> header : headers) {
                if (NOT_MODIFIED_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    target.add(header.getKey(), header.getValue());
                }
            }
        } else {
            target.set(headers);
            target.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        }
        target.set(HttpHeaderNames.AGE, Long.toString(ageMillis(now) / 1000));
    }

    public List<String> varyNames() {
        return List.copyOf(vary.keySet());
    }
}
