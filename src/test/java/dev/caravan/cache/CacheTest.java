package dev.caravan.cache;

import dev.caravan.testing.OriginBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import io.netty.handler.codec.http.FullHttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response cache through a real gateway and a real backend that counts its hits: each RFC 9111 rule the cache
 * follows, collapsing, stale serving, purge and invalidation. Each test uses its own paths, so tests do not share
 * entries.
 */
class CacheTest {

    private static OriginBackend origin;
    private static OriginBackend down;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginBackend.start();
        down = OriginBackend.start();
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/cache"),
                Map.of("origin.url", origin.url(), "down.url", down.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
        down.close();
    }

    static RawHttp.Response get(String target, String... headers) throws Exception {
        return send("GET", target, headers);
    }

    static RawHttp.Response send(String method, String target, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: cache.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            raw.append("Content-Length: 0\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    static String cc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Repeats a request until its response passes {@code done} (within 10 s), returning that response. */
    static RawHttp.Response until(String target, Predicate<RawHttp.Response> done, String... headers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RawHttp.Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(target, headers);
            if (System.getenv("DEBUG_UNTIL") != null) {
                System.err.println("UNTIL " + last.header("Cache-Status") + " age=" + last.header("Age") + " " + last.bodyText().trim());
            }
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no response to " + target + " passed in time; last: " + last.statusLine() + " "
                + last.headers() + "\n" + last.bodyText());
    }

    @Test
    void aFreshResponseIsServedFromMemoryWithItsAge() throws Exception {
        String target = "/c/fresh?cc=" + cc("max-age=60");
        RawHttp.Response first = get(target);
        assertEquals(200, first.status());
        assertEquals("caravan; fwd=miss; stored", first.header("Cache-Status"));
        assertEquals("MISS", first.header("X-Cache"));
        RawHttp.Response second = get(target);
        assertEquals(200, second.status());
        assertTrue(second.header("Cache-Status").startsWith("caravan; hit; ttl="), second.header("Cache-Status"));
        assertEquals("HIT", second.header("X-Cache"));
        assertNotNull(second.header("Age"));
        assertEquals(first.bodyText(), second.bodyText());
        assertEquals(first.header("Date"), second.header("Date"));
        assertEquals(String.valueOf(first.body().length), second.header("Content-Length"));
        assertEquals(1, origin.hits("/fresh"));
    }

    @Test
    void aResponseExpiresAfterItsMaxAge() throws Exception {
        String target = "/c/expiring?cc=" + cc("max-age=1");
        assertEquals("/expiring hit 1", get(target).bodyText().trim());
        RawHttp.Response fresh = get(target);
        assertEquals("HIT", fresh.header("X-Cache"));
        RawHttp.Response renewed = until(target, r -> r.bodyText().contains("hit 2"));
        assertEquals("MISS", renewed.header("X-Cache"));
        assertEquals(2, origin.hits("/expiring"));
    }

    @Test
    void expiresAndDateGiveFreshnessToo() throws Exception {
        String target = "/c/expires?expires=60";
        get(target);
        assertEquals("HIT", get(target).header("X-Cache"));
        assertEquals(1, origin.hits("/expires"));
    }

    @Test
    void noStoreAndPrivateAreNeverStoredHoweverTheFieldIsWritten() throws Exception {
        String[] fields = {"no-store", "private, no-store", "max-age=60, private", "PRIVATE", "public, max-age=60,"
                + " no-store", "private=\"Set-Cookie\", max-age=60"};
        int i = 0;
        for (String field : fields) {
            String target = "/c/never" + i + "?cc=" + cc(field);
            RawHttp.Response first = get(target);
            assertTrue(first.header("Cache-Status").startsWith("caravan; fwd=miss; detail="), field + ": "
                    + first.header("Cache-Status"));
            get(target);
            assertEquals(2, origin.hits("/never" + i), field + " was served from the cache");
            i++;
        }
    }

    @Test
    void authorizationRequestsAreServedAndStoredOnlyWhenTheResponseAllows() throws Exception {
        String plain = "/c/auth-plain?cc=" + cc("max-age=60");
        get(plain, "Authorization: Bearer a");
        get(plain, "Authorization: Bearer a");
        assertEquals(2, origin.hits("/auth-plain"), "a response to an Authorization request was stored");

        String shared = "/c/auth-public?cc=" + cc("public, max-age=60");
        get(shared, "Authorization: Bearer a");
        assertEquals("HIT", get(shared, "Authorization: Bearer b").header("X-Cache"));
        assertEquals(1, origin.hits("/auth-public"));

        String stored = "/c/auth-stored?cc=" + cc("max-age=60");
        get(stored);
        assertEquals("HIT", get(stored).header("X-Cache"));
        assertEquals("MISS", get(stored, "Authorization: Bearer a").header("X-Cache"),
                "a stored response answered an Authorization request it does not allow");
        assertEquals(2, origin.hits("/auth-stored"));
    }

    @Test
    void varyKeepsOneVariantPerRequestHeaderValue() throws Exception {
        String target = "/c/vary?cc=" + cc("max-age=60") + "&vary=Accept-Language";
        assertTrue(get(target, "Accept-Language: en").bodyText().contains("Accept-Language=en"));
        RawHttp.Response fr = get(target, "Accept-Language: fr");
        assertTrue(fr.bodyText().contains("Accept-Language=fr"));
        assertEquals("caravan; fwd=vary-miss; stored", fr.header("Cache-Status"));
        RawHttp.Response en = get(target, "Accept-Language: en");
        assertEquals("HIT", en.header("X-Cache"));
        assertTrue(en.bodyText().contains("Accept-Language=en"), en.bodyText());
        RawHttp.Response fr2 = get(target, "Accept-Language: fr");
        assertEquals("HIT", fr2.header("X-Cache"));
        assertTrue(fr2.bodyText().contains("Accept-Language=fr"), fr2.bodyText());
        RawHttp.Response none = get(target);
        assertEquals("MISS", none.header("X-Cache"), "a request without the header got another's variant");
        assertEquals(3, origin.hits("/vary"));
    }

    @Test
    void varyStarIsNeverStored() throws Exception {
        String target = "/c/vary-star?cc=" + cc("max-age=60") + "&vary=*";
        assertEquals("caravan; fwd=miss; detail=vary-star", get(target).header("Cache-Status"));
        get(target);
        assertEquals(2, origin.hits("/vary-star"));
    }

    @Test
    void theCacheAnswersConditionalRequestsWith304() throws Exception {
        String target = "/c/conditional?cc=" + cc("max-age=60") + "&etag=" + cc("\"v1\"") + "&lm=3600";
        RawHttp.Response full = get(target);
        assertEquals("\"v1\"", full.header("ETag"));
        RawHttp.Response byTag = get(target, "If-None-Match: \"v0\", W/\"v1\"");
        assertEquals(304, byTag.status());
        assertEquals("\"v1\"", byTag.header("ETag"));
        assertEquals("caravan; hit; ttl=" + byTag.header("Cache-Status").split("ttl=")[1], byTag.header("Cache-Status"));
        assertNull(byTag.header("Content-Type"), "a 304 carries only the validator and caching headers");
        RawHttp.Response byDate = get(target, "If-Modified-Since: " + full.header("Last-Modified"));
        assertEquals(304, byDate.status());
        RawHttp.Response changed = get(target, "If-None-Match: \"v0\"");
        assertEquals(200, changed.status());
        assertEquals(full.bodyText(), changed.bodyText());
        assertEquals(1, origin.hits("/conditional"));
    }

    @Test
    void aStaleResponseIsRevalidatedWithItsETagAndTheClientGetsTheFullResponse() throws Exception {
        String target = "/c/revalidate?cc=" + cc("max-age=0") + "&etag=" + cc("\"r1\"");
        RawHttp.Response first = get(target);
        assertEquals("caravan; fwd=miss; stored", first.header("Cache-Status"));
        RawHttp.Response second = get(target);
        assertEquals(200, second.status());
        assertEquals("caravan; fwd=stale; fwd-status=304", second.header("Cache-Status"));
        assertEquals("REVALIDATED", second.header("X-Cache"));
        assertEquals(first.bodyText(), second.bodyText(), "the backend's 304 became the stored 200");
        assertEquals(String.valueOf(first.body().length), second.header("Content-Length"));
        assertEquals(2, origin.hits("/revalidate"));
        FullHttpRequest revalidation = lastRequest("/revalidate");
        assertEquals("\"r1\"", revalidation.headers().get("If-None-Match"));
        // a client that revalidates its own copy gets a 304 after the backend's 304
        RawHttp.Response third = get(target, "If-None-Match: \"r1\"");
        assertEquals(304, third.status());
        assertEquals(3, origin.hits("/revalidate"));
    }

    @Test
    void noCacheResponsesAreStoredButRevalidatedEveryTime() throws Exception {
        String target = "/c/no-cache?cc=" + cc("no-cache, max-age=60") + "&etag=" + cc("\"n1\"");
        get(target);
        RawHttp.Response second = get(target);
        assertEquals("caravan; fwd=stale; fwd-status=304", second.header("Cache-Status"));
        assertEquals(2, origin.hits("/no-cache"));
    }

    @Test
    void fiftyConcurrentMissesMakeOneBackendRequest() throws Exception {
        String target = "/c/collapse?cc=" + cc("max-age=60") + "&delay=700";
        int clients = 50;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RawHttp.Response>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return get(target);
                }));
            }
            go.countDown();
            Set<String> bodies = new HashSet<>();
            for (Future<RawHttp.Response> answer : answers) {
                RawHttp.Response response = answer.get(30, TimeUnit.SECONDS);
                assertEquals(200, response.status());
                bodies.add(response.bodyText());
            }
            assertEquals(Set.of("/collapse hit 1\n"), bodies);
            assertEquals(1, origin.hits("/collapse"));
            assertTrue(cache().statistics().collapsed() > 0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStaleResponseIsServedWhenTheBackendIsDown() throws Exception {
        String target = "/sie/page?cc=" + cc("max-age=1");
        RawHttp.Response stored = get(target);
        assertEquals("caravan; fwd=miss; stored", stored.header("Cache-Status"));
        int port = down.port();
        down.close();
        try {
            RawHttp.Response stale = until(target, r -> r.header("Cache-Status").contains("stale-if-error"));
            assertEquals(200, stale.status());
            assertEquals(stored.bodyText(), stale.bodyText());
            assertEquals("caravan; fwd=stale; fwd-status=502; detail=stale-if-error", stale.header("Cache-Status"));
            // without a stored response the error passes, with Cache-Status
            RawHttp.Response nothing = get("/sie/never-stored");
            assertEquals(502, nothing.status());
            assertEquals("caravan; fwd=miss; detail=no-store", nothing.header("Cache-Status")); // the error page's
        } finally {
            down = OriginBackend.startOn(port);
        }
    }

    @Test
    void staleWhileRevalidateAnswersAtOnceAndRefreshesInTheBackground() throws Exception {
        String target = "/c/swr?cc=" + cc("max-age=1, stale-while-revalidate=60");
        assertEquals("/swr hit 1", get(target).bodyText().trim());
        RawHttp.Response stale = until(target, r -> "STALE".equals(r.header("X-Cache")));
        assertEquals("/swr hit 1", stale.bodyText().trim(), "the stale copy, at once");
        assertTrue(stale.header("Cache-Status").contains("detail=stale-while-revalidate"));
        // the refresh ran without a client waiting: the next copies come from the cache, newer, and no client
        // request ever waits for the backend
        List<String> seen = new ArrayList<>();
        RawHttp.Response refreshed = until(target, r -> {
            seen.add(r.header("X-Cache"));
            return !r.bodyText().contains("hit 1\n");
        });
        assertTrue(Set.of("HIT", "STALE").containsAll(seen), "every answer came from the cache: " + seen);
        assertTrue(origin.hits("/swr") >= 2);
        assertTrue(refreshed.bodyText().startsWith("/swr hit "));
    }

    @Test
    void purgeByKeyAndPrefixOnlyFromAllowedAddresses() throws Exception {
        String target = "/c/purged?cc=" + cc("max-age=60");
        get(target);
        assertEquals("HIT", get(target).header("X-Cache"));
        String key = "c GET http://cache.test" + target;
        RawHttp.Response denied = send("POST", "/purge-denied?key=" + cc(key));
        assertEquals(403, denied.status());
        assertEquals("HIT", get(target).header("X-Cache"));
        RawHttp.Response purged = send("POST", "/purge?key=" + cc(key));
        assertEquals(200, purged.status());
        assertEquals("{\"purged\":1}", purged.bodyText());
        assertEquals("MISS", get(target).header("X-Cache"));

        get("/c/prefix/a?cc=" + cc("max-age=60"));
        get("/c/prefix/b?cc=" + cc("max-age=60"));
        RawHttp.Response byPrefix = send("POST", "/purge?prefix=" + cc("c GET http://cache.test/c/prefix/"));
        assertEquals("{\"purged\":2}", byPrefix.bodyText());
        assertEquals("MISS", get("/c/prefix/a?cc=" + cc("max-age=60")).header("X-Cache"));
    }

    @Test
    void aSuccessfulUnsafeMethodInvalidatesTheTargetAndItsLocation() throws Exception {
        String target = "/c/items?cc=" + cc("max-age=60");
        String item = "/c/items/7?cc=" + cc("max-age=60");
        get(target);
        get(item);
        assertEquals("HIT", get(target).header("X-Cache"));
        RawHttp.Response posted = send("POST", target);
        assertEquals(200, posted.status());
        assertEquals("caravan; fwd=method", posted.header("Cache-Status"));
        assertEquals("MISS", get(target).header("X-Cache"), "the POST target is forgotten");
        assertEquals("HIT", get(item).header("X-Cache"));
        send("PUT", "/c/items/new?location=" + cc(item));
        assertEquals("MISS", get(item).header("X-Cache"), "a same-host Location is forgotten");
        get(item);
        send("DELETE", "/c/items/new?location=" + cc("http://elsewhere.test" + item));
        assertEquals("HIT", get(item).header("X-Cache"), "another host's Location is not this cache's business");
        // a failed POST forgets nothing
        get(target);
        send("POST", target + "&status=500");
        assertEquals("HIT", get(target).header("X-Cache"));
    }

    @Test
    void setCookieResponsesAreStoredOnlyWhereTheRouteOptsIn() throws Exception {
        String target = "?cc=" + cc("max-age=60") + "&cookie=" + cc("session=1");
        assertEquals("caravan; fwd=miss; detail=set-cookie", get("/c/cookie" + target).header("Cache-Status"));
        get("/cookies/cookie2" + target);
        RawHttp.Response replayed = get("/cookies/cookie2" + target);
        assertTrue(replayed.header("Cache-Status").contains("hit"));
        assertEquals("session=1", replayed.header("Set-Cookie"));
    }

    @Test
    void clientCacheControlIsHonouredOrIgnoredPerRoute() throws Exception {
        String target = "/cc-client?cc=" + cc("max-age=60");
        get("/c" + target);
        RawHttp.Response forced = get("/c" + target, "Cache-Control: no-cache");
        assertEquals("caravan; fwd=request; stored", forced.header("Cache-Status"));
        assertEquals(2, origin.hits("/cc-client"));
        assertEquals("caravan; fwd=request; stored", get("/c" + target, "Pragma: no-cache").header("Cache-Status"));
        RawHttp.Response tooOld = get("/c" + target, "Cache-Control: max-age=0");
        assertTrue(tooOld.header("Cache-Status").startsWith("caravan; fwd=stale"), tooOld.header("Cache-Status"));

        String ignored = "/cc-ignored?cc=" + cc("max-age=60");
        get("/ignoring" + ignored);
        RawHttp.Response stillCached = get("/ignoring" + ignored, "Cache-Control: no-cache");
        assertTrue(stillCached.header("Cache-Status").startsWith("caravan; hit"), stillCached.header("Cache-Status"));
        assertEquals(1, origin.hits("/cc-ignored"));

        RawHttp.Response onlyIfCached = get("/c/cc-never?cc=" + cc("max-age=60"), "Cache-Control: only-if-cached");
        assertEquals(504, onlyIfCached.status());
        assertEquals(0, origin.hits("/cc-never"));
    }

    @Test
    void headIsAnsweredFromAStoredGet() throws Exception {
        String target = "/c/head?cc=" + cc("max-age=60");
        RawHttp.Response full = get(target);
        RawHttp.Response head = send("HEAD", target);
        assertEquals(200, head.status());
        assertEquals(String.valueOf(full.body().length), head.header("Content-Length"));
        assertTrue(head.header("Cache-Status").startsWith("caravan; hit"));
        assertEquals(1, origin.hits("/head"));
    }

    @Test
    void theRouteIsPartOfTheKey() throws Exception {
        String target = "/routes?cc=" + cc("max-age=60");
        get("/c" + target);
        RawHttp.Response other = get("/other" + target);
        assertEquals("caravan; fwd=miss; stored", other.header("Cache-Status"));
        assertEquals(2, origin.hits("/routes"));
    }

    @Test
    void aKeyExpressionSeparatesWhatVaryDoesNotName() throws Exception {
        String target = "/tenants/tenant?cc=" + cc("max-age=60");
        get(target, "X-Tenant: a");
        assertEquals("caravan; fwd=vary-miss; stored", get(target, "X-Tenant: b").header("Cache-Status"));
        assertTrue(get(target, "X-Tenant: a").header("Cache-Status").startsWith("caravan; hit"));
        assertEquals(2, origin.hits("/tenant"));
    }

    @Test
    void heuristicFreshnessFromLastModifiedWhenTheRouteAsks() throws Exception {
        String target = "?lm=36000";
        get("/heuristic/lm" + target);
        assertTrue(get("/heuristic/lm" + target).header("Cache-Status").startsWith("caravan; hit; ttl="));
        get("/c/lm2" + target);
        get("/c/lm2" + target);
        assertEquals(2, origin.hits("/lm2"), "without heuristicPercent a response without freshness is not reused");
    }

    @Test
    void bodiesOverTheObjectLimitStreamThroughUncached() throws Exception {
        String target = "/small/big?cc=" + cc("max-age=60") + "&size=5000";
        RawHttp.Response first = get(target);
        assertEquals(5000, first.body().length);
        assertEquals("caravan; fwd=miss; detail=too-large", first.header("Cache-Status"));
        String chunked = "/small/big-chunked?cc=" + cc("max-age=60") + "&size=5000&chunked";
        assertEquals(5000, get(chunked).body().length);
        RawHttp.Response again = get(chunked);
        assertEquals(5000, again.body().length);
        assertEquals(2, origin.hits("/big-chunked"), "a chunked body past the limit was not stored");
        String fits = "/small/fits?cc=" + cc("max-age=60") + "&size=900&chunked";
        get(fits);
        assertEquals(900, get(fits).body().length);
        assertEquals(1, origin.hits("/fits"));
    }

    @Test
    void theCaffeineCacheIsARegistryBeanUnderTheCacheName() {
        Object bean = gateway.context().getRegistry().lookupByName("test");
        assertTrue(bean instanceof com.github.benmanes.caffeine.cache.Cache<?, ?>, String.valueOf(bean));
    }

    @Test
    void theReadmeExampleCachesPurgesAndFlushesThroughCaffeineCache(@org.junit.jupiter.api.io.TempDir Path temp)
            throws Exception {
        try (OriginBackend shop = OriginBackend.start();
             RunningGateway example = RunningGateway.startWithCopies(temp, Map.of("shop.backend", shop.url()),
                     Path.of("docs/examples/response-cache.yaml"));
             RawHttp http = new RawHttp(example.port())) {
            String get = "GET /shop/items?cc=" + cc("max-age=60") + " HTTP/1.1\r\nHost: www.example.com\r\n\r\n";
            assertEquals("MISS", http.exchange(get).header("X-Cache"));
            assertEquals("HIT", http.exchange(get).header("X-Cache"));
            RawHttp.Response purged = http.exchange("POST /_admin/cache/purge?prefix="
                    + cc("shop GET http://www.example.com/shop/items") + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertEquals("{\"purged\":1}", purged.bodyText());
            assertEquals("MISS", http.exchange(get).header("X-Cache"));
            assertEquals("HIT", http.exchange(get).header("X-Cache"));
            RawHttp.Response flushed = http.exchange("POST /_admin/cache/flush HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\n\r\n");
            assertEquals(200, flushed.status());
            assertEquals("flushed", flushed.bodyText());
            assertEquals("MISS", http.exchange(get).header("X-Cache"), "caffeine-cache:shared emptied the same cache");
            assertEquals(3, shop.hits("/items"));
        }
    }

    private static ResponseCache cache() {
        return ResponseCaches.of(gateway.context()).get("test");
    }

    private static FullHttpRequest lastRequest(String path) {
        FullHttpRequest last = null;
        for (FullHttpRequest request : origin.requests()) {
            if (request.uri().startsWith(path)) {
                last = request;
            }
        }
        return last;
    }
}
