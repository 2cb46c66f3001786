package dev.caravan.cache;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ResponseHeadFilter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * A request the cache let go on to the backend, and what happens to its response (a head filter, so it sees every
 * final response of the exchange: the backend's, one a later step made, or the gateway's error page):
 * <ul>
 *   <li>a 304 to the validators the cache added refreshes the stored response, and the client gets the stored
 *       response (or its own 304): the head is rewritten and the empty body replaced ({@link StoredBody});</li>
 *   <li>a 5xx (or a gateway error) while a stale response may be served on error: the stale response instead;</li>
 *   <li>a storable response: copied into the cache while it streams ({@link CacheFill});</li>
 *   <li>anything else goes through untouched.</li>
 * </ul>
 * The filter runs before the filters of steps earlier in the route and after those of later ones, so the stored head
 * is the response as the steps after the cache left it; the steps before it run again on every hit. The body copy is
 * installed from the filter, so it wraps the body after any byte-tier step later in the route. Whatever happens, the
 * request's fill ends (waiters wake), at the latest when the exchange finishes.
 */
final class CacheRequest implements ResponseHeadFilter {

    private final CacheStep step;
    private final ProxyExchange proxy;
    private final String key;
    private final RequestFacts request;
    private final StoredResponse candidate;
    private final boolean keyKnown;
    private final long requestMillis;
    private boolean validating;
    private Fill fill;

    /**
     * @param candidate the stored response the request could not use as it is (stale, or no-cache), or null
     * @param keyKnown  the key had variants, just none for this request
     */
    CacheRequest(CacheStep step, ProxyExchange proxy, String key, RequestFacts request, StoredResponse candidate,
                 boolean keyKnown, long requestMillis) {
        this.step = step;
        this.proxy = proxy;
        this.key = key;
        this.request = request;
        this.candidate = candidate;
        this.keyKnown = keyKnown;
        this.requestMillis = requestMillis;
    }

    void validating() {
        validating = true;
    }

    boolean isValidating() {
        return validating;
    }

    /** This request fetches the key for others waiting on {@code fill}. */
    void holds(Fill fill) {
        this.fill = fill;
    }

    @Override
    public void filter(ProxyExchange exchange, HttpResponse head) {
        ResponseCache cache = step.cache();
        int status = head.status().code();
        long now = cache.now();
        if (validating && status == 304) {
            StoredResponse refreshed = step.policy().refresh(candidate, head, requestMillis, now);
            cache.store(key, refreshed);
            cache.statistics().confirmed();
            endFill(true);
            serve(head, refreshed, now, "caravan; fwd=stale; fwd-status=304", "REVALIDATED");
            return;
        }
        if (status >= 500 && candidate != null && staleOnError(now)) {
            endFill(false);
            cache.statistics().servedStale();
            serve(head, candidate, now, "caravan; fwd=stale; fwd-status=" + status + "; detail=stale-if-error",
                    "STALE");
            return;
        }
        String forwarded = validating ? "caravan; fwd=stale; fwd-status=" + status
                : request.noCache() && candidate != null ? "caravan; fwd=request"
                : candidate != null ? "caravan; fwd=stale"
                : keyKnown ? "caravan; fwd=vary-miss" : "caravan; fwd=miss";
        String reason = proxy.method().equals(HttpMethod.GET)
                ? step.policy().notStorable(request, status, head.headers(), now) : "method";
        if (reason == null) {
            long length = HttpUtil.getContentLength(head, -1L);
            if (length > step.configuration().getMaxObjectSize()) {
                reason = "too-large";
            }
        }
        if (reason == null) {
            HttpResponse snapshot = new DefaultHttpResponse(head.protocolVersion(), head.status(), head.headers().copy());
            long length = HttpUtil.getContentLength(head, -1L);
            exchange.decorateResponseBody((h, body) -> new CacheFill(body, this, snapshot, now,
                    step.configuration().getMaxObjectSize(), (int) length));
            step.mark(head, forwarded + "; stored", validating ? "EXPIRED" : "MISS");
        } else {
            endFill(false);
            step.mark(head, forwarded + "; detail=" + reason, validating ? "EXPIRED" : "MISS");
        }
    }

    /** RFC 5861 stale-if-error, never for a response that forbids stale use. */
    private boolean staleOnError(long now) {
        return !candidate.noStale() && !candidate.noCache() && candidate.staleIfError() > 0
                && -candidate.freshForMillis(now) <= candidate.staleIfError();
    }

    /** Rewrites the head into the stored response (or the client's 304) and swaps in the stored body. */
    private void serve(HttpResponse head, StoredResponse entry, long now, String cacheStatus, String xCache) {
        boolean notModified = request.isConditional() && request.notModified(entry);
        head.headers().clear();
        head.setStatus(notModified ? HttpResponseStatus.NOT_MODIFIED
                : new HttpResponseStatus(entry.status(), entry.reason()));
        entry.writeHeaders(head.headers(), notModified, now);
        step.mark(head, cacheStatus, xCache);
        if (!notModified) {
            proxy.decorateResponseBody((h, body) -> new StoredBody(body, entry.body()));
        }
    }

    /** The copy reached the end of the body (its first {@code size} bytes): store it. */
    void completed(HttpResponse head, byte[] copy, int size, long responseMillis) {
        CachedBody body = step.cache().keep(copy, size);
        step.cache().store(key, step.policy().store(request, head, body, requestMillis, responseMillis));
        endFill(true);
    }

    /** The copy gave up (too large, client gone, backend failed). */
    void abandoned() {
        endFill(false);
    }

    /** The exchange ended: whatever did not happen will not. */
    void finished() {
        endFill(false);
    }

    private void endFill(boolean stored) {
        if (fill != null) {
            Fill ended = fill;
            fill = null;
            step.cache().endFill(key, ended, stored);
        }
    }
}
