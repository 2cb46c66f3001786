package dev.caravan.cache;

import dev.caravan.http.Answer;
import dev.caravan.http.ProxyExchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

import java.util.Date;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * The cache's lookup, a head-tier step before {@code caravan-forward}. For a GET or HEAD it finds the variant the
 * request may use (key = route, method, scheme, host and target as sent; variant = the request headers the stored
 * response varies on) and:
 * <ul>
 *   <li>fresh (and the client's {@code Cache-Control} allows): answers from memory, a 304 when the client's own
 *       conditional matches, and the route stops;</li>
 *   <li>stale within {@code stale-while-revalidate}: answers from memory and refreshes the key in the background;</li>
 *   <li>stale otherwise: lets the request go on with the stored validators, so a 304 from the backend refreshes the
 *       entry and the client still gets the full response ({@link CacheRequest});</li>
 *   <li>missing while another request fetches the key: waits for it (collapsing), parked, then looks again;</li>
 *   <li>missing: lets the request go on, and stores the response if it may while it streams to the client.</li>
 * </ul>
 * A successful unsafe method invalidates its target (and same-host {@code Location}/{@code Content-Location}).
 * Every response through the step gets {@code Cache-Status} (RFC 9211).
 */
final class CacheStep extends DefaultAsyncProducer {

    static final String CACHE_STATUS = "Cache-Status";
    static final String X_CACHE = "X-Cache";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final ResponseCache cache;
    private final CachePolicy policy;
    private final CacheConfiguration configuration;
    private final Expression keyExpression;
    /** Stops the route after the step answered; the consumer's own reply for it is then dropped. */
    private final Answer answered = Answer.status(204);

    CacheStep(CacheEndpoint endpoint, ResponseCache cache, CachePolicy policy, CacheConfiguration configuration,
              Expression keyExpression) {
        super(endpoint);
        this.cache = cache;
        this.policy = policy;
        this.configuration = configuration;
        this.keyExpression = keyExpression;
    }

    ResponseCache cache() {
        return cache;
    }

    CachePolicy policy() {
        return policy;
    }

    CacheConfiguration configuration() {
        return configuration;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyExchange proxy = ProxyExchange.of(exchange);
        if (proxy == null) {
            exchange.setException(new IllegalStateException(
                    "caravan-cache works only in a route that starts from a caravan: endpoint"));
            callback.done(true);
            return true;
        }
        String routeId = exchange.getFromRouteId();
        if (routeId != null && !cache.routes().contains(routeId)) {
            cache.routeUses(routeId);
        }
        if (proxy.eventLoop().inEventLoop()) {
            if (decide(exchange, proxy, false, callback)) {
                callback.done(true);
                return true;
            }
            return false;
        }
        // a step before moved the exchange to another thread: answers and pipeline edits belong on its loop
        try {
            proxy.eventLoop().execute(() -> {
                if (decide(exchange, proxy, false, callback)) {
                    callback.done(false);
                }
            });
        } catch (RejectedExecutionException e) {
            callback.done(true); // shutting down: the connection goes, whatever the route does
            return true;
        }
        return false;
    }

    /**
     * Decides for one request, on its event loop. Returns true when done (the caller completes the callback), false
     * when the request was parked behind another's fill (the wake-up completes it).
     */
    private boolean decide(Exchange exchange, ProxyExchange proxy, boolean waited, AsyncCallback callback) {
        String method = proxy.method().name();
        Message message = exchange.getMessage();
        if (!SAFE.contains(method)) {
            proxy.onResponseHead(new Invalidation(this, proxy));
            return true;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            proxy.onResponseHead(status("caravan; fwd=method", "BYPASS"));
            return true;
        }
        RequestFacts request = new RequestFacts(message.getHeaders(), configuration.isHonourClientCacheControl());
        if (request.hasRange() || message.getHeaders().containsKey("If-Match")
                || message.getHeaders().containsKey("If-Unmodified-Since")
                || message.getHeaders().containsKey("If-Range")) {
            // partial and precondition requests go to the backend as they are
            proxy.onResponseHead(status("caravan; fwd=bypass", "BYPASS"));
            return true;
        }
        String key = CacheKey.of(exchange.getFromRouteId(), proxy);
        String extra = keyExpression == null ? null : keyExpression.evaluate(exchange, String.class);
        request.keyPart(extra);
        Fill background = cache.takeBackground(proxy);
        long now = cache.now();
        Variants variants = cache.get(key);
        StoredResponse entry = variants == null ? null : variants.select(request, now);
        if (background == null && entry != null) {
            if (usable(entry, request, now)) {
                cache.statistics().hit();
                answer(exchange, proxy, request, entry, now, "caravan; hit; ttl=" + entry.freshForMillis(now) / 1000,
                        "HIT");
                return true;
            }
            if (staleWhileRevalidate(entry, request, now)) {
                cache.statistics().hit();
                cache.statistics().servedStale();
                answer(exchange, proxy, request, entry, now, "caravan; hit; ttl=" + entry.freshForMillis(now) / 1000
                        + "; detail=stale-while-revalidate", "STALE");
                Fill fill = cache.lead(key);
                if (fill != null) {
                    BackgroundRefresh.start(exchange, proxy, cache, key, fill);
                }
                return true;
            }
        }
        if (background == null && request.onlyIfCached()) {
            proxy.onResponseHead(status("caravan; detail=only-if-cached", "MISS"));
            Answer.status(504).sendFrom(exchange);
            return true;
        }
        boolean validate = entry != null && entry.hasValidators();
        boolean leadable = method.equals("GET") && !request.noStore() && (validate || !request.isConditional());
        Fill fill = background;
        if (fill == null && leadable) {
            fill = cache.lead(key); // atomic: of concurrent misses exactly one leads, the others find its fill
        }
        if (fill == null && background == null && !waited && configuration.getCollapseTimeout() > 0
                && method.equals("GET")) {
            Fill inFlight = cache.fillInFlight(key);
            if (inFlight == null && leadable) {
                return decide(exchange, proxy, true, callback); // it ended just now: look again
            }
            if (inFlight != null && inFlight.await(proxy.eventLoop(), configuration.getCollapseTimeout(), stored -> {
                cache.statistics().waited();
                if (decide(exchange, proxy, true, callback)) {
                    callback.done(false);
                }
            })) {
                return false;
            }
        }
        cache.statistics().miss();
        CacheRequest pending = new CacheRequest(this, proxy, key, request.snapshot(), entry, variants != null, now);
        if (validate) {
            // revalidate: the stored validators replace the client's own (its conditional is answered from the
            // refreshed entry)
            message.removeHeader("If-None-Match");
            message.removeHeader("If-Modified-Since");
            if (entry.etag() != null) {
                message.setHeader("If-None-Match", entry.etag());
            }
            if (entry.lastModified() >= 0) {
                message.setHeader("If-Modified-Since", DateFormatter.format(new Date(entry.lastModified())));
            }
            pending.validating();
        }
        if (fill != null) {
            pending.holds(fill);
        }
        proxy.onResponseHead(pending);
        proxy.onFinished(p -> pending.finished());
        return true;
    }

    /** May this stored response answer the request without the backend (RFC 9111 4.2, 5.2.1)? */
    private static boolean usable(StoredResponse entry, RequestFacts request, long now) {
        if (entry.noCache() || request.noCache()) {
            return false;
        }
        CacheControl cc = request.cacheControl();
        long age = entry.ageMillis(now);
        long freshFor = entry.lifetimeMillis() - age;
        long maxAge = cc.seconds("max-age");
        if (maxAge >= 0 && age > maxAge * 1000) {
            return false;
        }
        long minFresh = cc.seconds("min-fresh");
        if (minFresh >= 0 && freshFor < minFresh * 1000) {
            return false;
        }
        if (freshFor > 0) {
            return true;
        }
        if (entry.noStale() || !cc.has("max-stale")) {
            return false;
        }
        String maxStale = cc.argument("max-stale");
        return maxStale.isEmpty() || -freshFor <= Math.max(0, cc.seconds("max-stale")) * 1000;
    }

    private static boolean staleWhileRevalidate(StoredResponse entry, RequestFacts request, long now) {
        return !entry.noStale() && !entry.noCache() && !request.noCache() && entry.staleWhileRevalidate() > 0
                && -entry.freshForMillis(now) <= entry.staleWhileRevalidate();
    }

    /** Answers from memory and stops the route. */
    private void answer(Exchange exchange, ProxyExchange proxy, RequestFacts request, StoredResponse entry, long now,
                        String cacheStatus, String xCache) {
        boolean notModified = request.isConditional() && request.notModified(entry);
        HttpResponse head = new DefaultHttpResponse(proxy.version(), notModified ? HttpResponseStatus.NOT_MODIFIED
                : new HttpResponseStatus(entry.status(), entry.reason()));
        entry.writeHeaders(head.headers(), notModified, now);
        mark(head, cacheStatus, xCache);
        if (notModified) {
            proxy.respond(head, Unpooled.EMPTY_BUFFER);
        } else {
            proxy.respond(head, entry.body().content());
        }
        exchange.setProperty(Answer.PROPERTY, answered);
        exchange.setRouteStop(true);
    }

    void mark(HttpResponse head, String cacheStatus, String xCache) {
        head.headers().set(CACHE_STATUS, cacheStatus);
        if (configuration.isXCache()) {
            head.headers().set(X_CACHE, xCache);
        }
    }

    /** A head filter that only reports how the cache treated the request. */
    private dev.caravan.http.ResponseHeadFilter status(String cacheStatus, String xCache) {
        return (proxy, head) -> mark(head, cacheStatus, xCache);
    }
}
