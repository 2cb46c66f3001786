package dev.caravan.cache;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The RFC 9111 rules for a shared cache, with a route's choices: whether a response may be stored (section 3), how
 * long it is fresh (4.2.1, with optional heuristic freshness from {@code Last-Modified}, 4.2.2), its age (4.2.3),
 * and how a {@code 304} refreshes a stored response (3.2, 4.3.4).
 */
public final class CachePolicy {

    /** Statuses cacheable by default (RFC 9110 15.1): storable with heuristic freshness. */
    static final Set<Integer> HEURISTIC_STATUSES = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);
    /** Heuristic freshness never exceeds a day, however old {@code Last-Modified} is. */
    static final long HEURISTIC_CAP_MILLIS = 86_400_000L;
    /** Headers a stored response never keeps: framing, the age (recomputed), and the cache's own reporting. */
    private static final Set<String> NOT_STORED = Set.of("age", "content-length", "transfer-encoding", "connection",
            "keep-alive", "cache-status", "x-cache");

    private final int heuristicPercent;
    private final boolean cacheSetCookie;
    private final long staleWhileRevalidateMillis;
    private final long staleIfErrorMillis;
    private final long keepStaleMillis;

    /**
     * @param heuristicPercent     share of the time since {@code Last-Modified} a response without explicit freshness
     *                             stays fresh (0: no heuristic freshness)
     * @param cacheSetCookie       store responses that set cookies (the route opted in)
     * @param staleWhileRevalidate seconds a stale response may be served while it is refreshed, when it says nothing
     * @param staleIfError         seconds a stale response may be served when the backend fails, when it says nothing
     * @param keepStale            seconds a stale response with validators is kept for revalidation
     */
    public CachePolicy(int heuristicPercent, boolean cacheSetCookie, long staleWhileRevalidate, long staleIfError,
                       long keepStale) {
        this.heuristicPercent = heuristicPercent;
        this.cacheSetCookie = cacheSetCookie;
        this.staleWhileRevalidateMillis = staleWhileRevalidate * 1000;
        this.staleIfErrorMillis = staleIfError * 1000;
        this.keepStaleMillis = keepStale * 1000;
    }

    /**
     * Why a response to a GET may not be stored, or null when it may (RFC 9111 3, for a shared cache). The reason goes
     * into {@code Cache-Status} as its {@code detail}.
     */
    String notStorable(RequestFacts request, int status, HttpHeaders headers, long now) {
        if (status < 200 || status == 206 || status == 304) {
            return "status";
        }
        CacheControl cc = CacheControl.parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL));
        if (cc.has("no-store")) {
            return "no-store";
        }
        if (cc.has("private")) {
            return "private";
        }
        if (request.noStore()) {
            return "request-no-store";
        }
        if (request.hasAuthorization() && !authorizedUse(cc)) {
            return "authorization";
        }
        if (!cacheSetCookie && headers.contains(HttpHeaderNames.SET_COOKIE)) {
            return "set-cookie";
        }
        if (headers.contains(HttpHeaderNames.CONTENT_RANGE)) {
            return "partial";
        }
        for (String name : varyNames(headers)) {
            if (name.equals("*")) {
                return "vary-star";
            }
        }
        boolean explicit = cc.seconds("s-maxage") >= 0 || cc.seconds("max-age") >= 0 || cc.has("public")
                || headers.contains(HttpHeaderNames.EXPIRES);
        if (!explicit && !HEURISTIC_STATUSES.contains(status)) {
            return "status";
        }
        long date = dateOf(headers, now);
        boolean validators = headers.contains(HttpHeaderNames.ETAG) || headers.contains(HttpHeaderNames.LAST_MODIFIED);
        if (lifetime(status, headers, cc, date) <= 0 && !validators) {
            return "no-freshness"; // stale at once and nothing to revalidate with: storing would gain nothing
        }
        return null;
    }

    /** Builds the stored form of a response that {@link #notStorable} allowed. */
    StoredResponse store(RequestFacts request, HttpResponse response, CachedBody body, long requestMillis,
                         long responseMillis) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (Map.Entry<String, String> header : response.headers()) {
            if (!NOT_STORED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        long date = dateOf(response.headers(), responseMillis);
        if (!headers.contains(HttpHeaderNames.DATE)) {
            headers.set(HttpHeaderNames.DATE, DateFormatter.format(new Date(responseMillis)));
        }
        long ageValue = Math.max(0, CacheControl.parse("age=" + response.headers().get(HttpHeaderNames.AGE, ""))
                .seconds("age"));
        Map<String, String> vary = new LinkedHashMap<>();
        for (String name : varyNames(response.headers())) {
            vary.put(name, request.varyValue(name));
        }
        if (request.keyPart() != null) {
            vary.put(RequestFacts.KEY_PART, request.keyPart());
        }
        String encoding = codingOf(headers);
        if (encoding != null) {
            // a coded body must never reach a client that cannot decode it, whatever the backend's Vary says
            vary.put("accept-encoding", request.varyValue("accept-encoding"));
        }
        return build(response.status().code(), response.status().reasonPhrase(), headers, body, vary, date,
                ageValue * 1000, requestMillis, responseMillis);
    }

    /**
     * A stored response updated by a {@code 304} to its revalidation (RFC 9111 3.2): the 304's headers replace the
     * stored ones (except framing and content coding), the body stays, and age and freshness start over.
     */
    StoredResponse refresh(StoredResponse stored, HttpResponse notModified, long requestMillis, long responseMillis) {
        HttpHeaders headers = stored.headers().copy();
        Set<String> replaced = new java.util.HashSet<>();
        for (Map.Entry<String, String> header : notModified.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (NOT_STORED.contains(name) || name.equals("content-encoding") || name.equals("content-range")) {
                continue;
            }
            if (replaced.add(name)) {
                headers.remove(header.getKey());
            }
            headers.add(header.getKey(), header.getValue());
        }
        long date = dateOf(notModified.headers(), responseMillis);
        if (!notModified.headers().contains(HttpHeaderNames.DATE)) {
            headers.set(HttpHeaderNames.DATE, DateFormatter.format(new Date(responseMillis)));
        }
        long ageValue = Math.max(0, CacheControl.parse("age=" + notModified.headers().get(HttpHeaderNames.AGE, ""))
                .seconds("age"));
        return build(stored.status(), stored.reason(), headers, stored.body(), stored.vary(), date, ageValue * 1000,
                requestMillis, responseMillis);
    }

    private StoredResponse build(int status, String reason, HttpHeaders headers, CachedBody body,
                                 Map<String, String> vary, long date, long ageValueMillis, long requestMillis,
                                 long responseMillis) {
        CacheControl cc = CacheControl.parse(headers.getAll(HttpHeaderNames.CACHE_CONTROL));
        // RFC 9111 4.2.3
        long apparentAge = Math.max(0, responseMillis - date);
        long responseDelay = Math.max(0, responseMillis - requestMillis);
        long correctedInitialAge = Math.max(apparentAge, ageValueMillis + responseDelay);
        long lifetime = Math.max(0, lifetime(status, headers, cc, date));
        long swr = cc.seconds("stale-while-revalidate") >= 0 ? cc.seconds("stale-while-revalidate") * 1000
                : staleWhileRevalidateMillis;
        long sie = cc.seconds("stale-if-error") >= 0 ? cc.seconds("stale-if-error") * 1000 : staleIfErrorMillis;
        String etag = headers.get(HttpHeaderNames.ETAG);
        long lastModified = millis(headers.get(HttpHeaderNames.LAST_MODIFIED));
        boolean validators = etag != null || lastModified >= 0;
        long freshUntil = responseMillis - correctedInitialAge + lifetime;
        long retainUntil = freshUntil + Math.max(Math.max(swr, sie), validators ? keepStaleMillis : 0);
        boolean noStale = cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.seconds("s-maxage") >= 0;
        return new StoredResponse(status, reason, headers, body, vary, date, responseMillis, correctedInitialAge,
                lifetime, cc.has("no-cache"), noStale, authorizedUse(cc), swr, sie, etag, lastModified,
                codingOf(headers), retainUntil);
    }

    /** Freshness lifetime in ms (RFC 9111 4.2.1), 0 when stale at once. */
    long lifetime(int status, HttpHeaders headers, CacheControl cc, long date) {
        long sMaxAge = cc.seconds("s-maxage");
        if (sMaxAge >= 0) {
            return sMaxAge * 1000;
        }
        long maxAge = cc.seconds("max-age");
        if (maxAge >= 0) {
            return maxAge * 1000;
        }
        if (headers.contains(HttpHeaderNames.EXPIRES)) {
            long expires = millis(headers.get(HttpHeaderNames.EXPIRES));
            return expires < 0 ? 0 : Math.max(0, expires - date); // an invalid Expires means "already expired"
        }
        long lastModified = millis(headers.get(HttpHeaderNames.LAST_MODIFIED));
        if (heuristicPercent > 0 && lastModified >= 0 && HEURISTIC_STATUSES.contains(status) && date > lastModified) {
            return Math.min(HEURISTIC_CAP_MILLIS, (date - lastModified) * heuristicPercent / 100);
        }
        return 0;
    }

    private static boolean authorizedUse(CacheControl cc) {
        return cc.has("public") || cc.seconds("s-maxage") >= 0 || cc.has("must-revalidate");
    }

    static java.util.List<String> varyNames(HttpHeaders headers) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String line : headers.getAll(HttpHeaderNames.VARY)) {
            for (String name : line.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (!n.isEmpty() && !names.contains(n)) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    private static String codingOf(HttpHeaders headers) {
        String coding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
        if (coding == null || coding.isBlank() || coding.trim().equalsIgnoreCase("identity")) {
            return null;
        }
        return coding.trim().toLowerCase(Locale.ROOT);
    }

    private static long dateOf(HttpHeaders headers, long fallback) {
        long date = millis(headers.get(HttpHeaderNames.DATE));
        return date < 0 ? fallback : date;
    }

    /** An HTTP date in epoch ms, or -1 when absent or unreadable. */
    static long millis(String httpDate) {
        if (httpDate == null) {
            return -1;
        }
        Date parsed = DateFormatter.parseHttpDate(httpDate);
        return parsed == null ? -1 : parsed.getTime();
    }
}
