package dev.caravan.cache;

import dev.caravan.http.HostHeader;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ResponseHeadFilter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

import java.net.URI;

/**
 * RFC 9111 4.4: a successful (2xx, 3xx) response to an unsafe method makes the cache forget the target URI, and the
 * URIs in {@code Location} and {@code Content-Location} when they are on the same host, in every route that uses this
 * cache (over http and https).
 */
final class Invalidation implements ResponseHeadFilter {

    private final CacheStep step;
    private final ProxyExchange request;

    Invalidation(CacheStep step, ProxyExchange request) {
        this.step = step;
        this.request = request;
    }

    @Override
    public void filter(ProxyExchange exchange, HttpResponse head) {
        int status = head.status().code();
        if (status >= 200 && status < 400) {
            String host = request.head().headers().get(HttpHeaderNames.HOST, "");
            forget(host, request.rawTarget());
            for (CharSequence name : new CharSequence[] {HttpHeaderNames.LOCATION, HttpHeaderNames.CONTENT_LOCATION}) {
                String target = sameHostTarget(host, head.headers().get(name));
                if (target != null) {
                    forget(host, target);
                }
            }
        }
        step.mark(head, "caravan; fwd=method", "BYPASS");
    }

    private void forget(String host, String target) {
        ResponseCache cache = step.cache();
        for (String route : cache.routes()) {
            cache.invalidate(CacheKey.of(route, "http", host, target));
            cache.invalidate(CacheKey.of(route, "https", host, target));
        }
    }

    /** The origin-form target of a URI reference if it points at the same host, else null. */
    private String sameHostTarget(String host, String reference) {
        if (reference == null || reference.isBlank()) {
            return null;
        }
        try {
            URI base = URI.create("http://" + (host.isEmpty() ? "localhost" : host) + request.rawTarget());
            URI resolved = base.resolve(reference.trim());
            if (resolved.getRawAuthority() == null
                    || !HostHeader.hostOf(resolved.getRawAuthority()).equals(HostHeader.hostOf(host))) {
                return null;
            }
            String path = resolved.getRawPath() == null || resolved.getRawPath().isEmpty() ? "/" : resolved.getRawPath();
            return resolved.getRawQuery() == null ? path : path + "?" + resolved.getRawQuery();
        } catch (IllegalArgumentException e) {
            return null; // not a URI we can resolve: nothing to forget
        }
    }
}
