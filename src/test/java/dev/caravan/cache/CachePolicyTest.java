package dev.caravan.cache;

import dev.caravan.http.HeaderMap;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.Date;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 rules on their own, with a fixed clock: directive parsing, storability, freshness, age. */
class CachePolicyTest {

    private static final long NOW = 1_800_000_000_000L;
    private final CachePolicy policy = new CachePolicy(10, false, 0, 0, 3600);
    private final RequestFacts plainRequest = new RequestFacts(new HeaderMap(), true);

    private static HttpResponse response(int status, String... headers) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        response.headers().set("Date", DateFormatter.format(new Date(NOW)));
        for (int i = 0; i < headers.length; i += 2) {
            response.headers().add(headers[i], headers[i + 1]);
        }
        return response;
    }

    @Test
    void cacheControlIsAListOfDirectivesNotAString() {
        CacheControl cc = CacheControl.parse(List.of("private, no-store", "max-age=\"60\", community=\"a,b\""));
        assertTrue(cc.has("private"));
        assertTrue(cc.has("no-store"));
        assertEquals(60, cc.seconds("max-age"));
        assertEquals("a,b", cc.argument("community"));
        assertTrue(CacheControl.parse("No-Store").has("no-store"));
        assertEquals(-1, CacheControl.parse("max-age=abc").seconds("max-age"));
        assertEquals(0, CacheControl.parse("max-age=60, max-age=10").seconds("max-age"), "conflicting: stale");
        assertEquals(Integer.MAX_VALUE, CacheControl.parse("max-age=99999999999999999999").seconds("max-age"));
        assertFalse(CacheControl.parse("no-storex").has("no-store"));
    }

    @Test
    void storabilityFollowsSectionThree() {
        assertNull(policy.notStorable(plainRequest, 200, response(200, "Cache-Control", "max-age=60").headers(), NOW));
        assertEquals("no-store", policy.notStorable(plainRequest, 200,
                response(200, "Cache-Control", "max-age=60", "Cache-Control", "no-store").headers(), NOW));
        assertEquals("private", policy.notStorable(plainRequest, 200,
                response(200, "Cache-Control", "max-age=60, private=\"Set-Cookie\"").headers(), NOW));
        assertEquals("status", policy.notStorable(plainRequest, 302, response(302).headers(), NOW),
                "302 without explicit freshness");
        assertNull(policy.notStorable(plainRequest, 302, response(302, "Cache-Control", "max-age=60").headers(), NOW));
        assertEquals("status", policy.notStorable(plainRequest, 206,
                response(206, "Cache-Control", "max-age=60").headers(), NOW));
        assertEquals("no-freshness", policy.notStorable(plainRequest, 200, response(200).headers(), NOW));
        assertNull(policy.notStorable(plainRequest, 200, response(200, "ETag", "\"x\"").headers(), NOW),
                "no freshness but a validator: kept for revalidation");
        HeaderMap auth = new HeaderMap();
        auth.put("Authorization", "Bearer x");
        RequestFacts authorized = new RequestFacts(auth, true);
        assertEquals("authorization", policy.notStorable(authorized, 200,
                response(200, "Cache-Control", "max-age=60").headers(), NOW));
        assertNull(policy.notStorable(authorized, 200, response(200, "Cache-Control", "s-maxage=60").headers(), NOW));
        assertEquals("set-cookie", policy.notStorable(plainRequest, 200,
                response(200, "Cache-Control", "max-age=60", "Set-Cookie", "a=1").headers(), NOW));
        assertEquals("vary-star", policy.notStorable(plainRequest, 200,
                response(200, "Cache-Control", "max-age=60", "Vary", "Accept, *").headers(), NOW));
    }

    @Test
    void freshnessPrefersSMaxAgeThenMaxAgeThenExpiresThenTheHeuristic() {
        assertEquals(30_000, stored(response(200, "Cache-Control", "max-age=60, s-maxage=30")).lifetimeMillis());
        assertEquals(60_000, stored(response(200, "Cache-Control", "max-age=60",
                "Expires", DateFormatter.format(new Date(NOW + 5_000)))).lifetimeMillis());
        assertEquals(5_000, stored(response(200, "Expires", DateFormatter.format(new Date(NOW + 5_000))))
                .lifetimeMillis());
        assertEquals(0, stored(response(200, "Expires", "0", "ETag", "\"x\"")).lifetimeMillis(), "invalid Expires");
        assertEquals(360_000, stored(response(200, "Last-Modified", DateFormatter.format(new Date(NOW - 3_600_000))))
                .lifetimeMillis(), "10% of an hour");
        assertEquals(CachePolicy.HEURISTIC_CAP_MILLIS, stored(response(200, "Last-Modified",
                DateFormatter.format(new Date(NOW - 3_600_000_000L)))).lifetimeMillis());
        assertTrue(stored(response(200, "Cache-Control", "s-maxage=60")).noStale(), "s-maxage implies proxy-revalidate");
        assertTrue(stored(response(200, "Cache-Control", "max-age=60, must-revalidate")).noStale());
        assertTrue(stored(response(200, "Cache-Control", "max-age=60, no-cache")).noCache());
    }

    @Test
    void ageCountsTheAgeHeaderTheTransitAndTheTimeStored() {
        // arrived 2 s after the request, with Age: 10 and a Date 5 s before arrival
        HttpResponse response = response(200, "Cache-Control", "max-age=60", "Age", "10");
        response.headers().set("Date", DateFormatter.format(new Date(NOW - 5_000)));
        StoredResponse entry = policy.store(plainRequest, response, CachedBody.EMPTY, NOW - 2_000, NOW);
        assertEquals(12_000, entry.ageMillis(NOW), "max(apparent 5 s, 10 s + 2 s delay)");
        assertEquals(42_000, entry.ageMillis(NOW + 30_000));
        assertTrue(entry.isFresh(NOW + 47_000));
        assertFalse(entry.isFresh(NOW + 48_000));
        assertNull(entry.headers().get("Age"), "Age is recomputed when served, not stored");
    }

    @Test
    void a304RefreshesHeadersAndFreshnessButKeepsTheBody() {
        StoredResponse old = stored(response(200, "Cache-Control", "max-age=0", "ETag", "\"a\"", "X-Old", "1",
                "Content-Type", "text/plain"));
        HttpResponse notModified = response(304, "Cache-Control", "max-age=120", "X-Old", "2", "Content-Length", "0");
        StoredResponse refreshed = policy.refresh(old, notModified, NOW + 1000, NOW + 1000);
        assertEquals(120_000, refreshed.lifetimeMillis());
        assertEquals("2", refreshed.headers().get("X-Old"));
        assertEquals("text/plain", refreshed.headers().get("Content-Type"));
        assertNull(refreshed.headers().get("Content-Length"));
        assertEquals(200, refreshed.status());
        assertEquals("body", new String(refreshed.body().toArray()));
    }

    private StoredResponse stored(HttpResponse response) {
        return policy.store(plainRequest, response, CachedBody.copyOf("body".getBytes()), NOW, NOW);
    }
}
