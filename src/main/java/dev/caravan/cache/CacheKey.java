package dev.caravan.cache;

import dev.caravan.http.HostHeader;
import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * The primary cache key: {@code <route id> GET <scheme>://<host[:port]><target>}, e.g.
 * {@code api GET https://shop.example.com/items?page=2}. The route is part of it, so two routes never answer with
 * each other's responses; HEAD uses the GET key (a HEAD is answered from a stored GET). The target is the raw one the
 * client sent: no decoding, so {@code %2F} and {@code /} stay different, as the backend may treat them.
 */
final class CacheKey {

    private CacheKey() {
    }

    static String of(String routeId, ProxyExchange request) {
        String host = request.head().headers().get(HttpHeaderNames.HOST);
        return of(routeId, request.isSecure() ? "https" : "http", host == null ? "" : host, request.rawTarget());
    }

    static String of(String routeId, String scheme, String hostHeader, String target) {
        String host = hostHeader.trim().toLowerCase(java.util.Locale.ROOT);
        // the default port is the same origin as no port
        if (host.endsWith(":80") && scheme.equals("http") || host.endsWith(":443") && scheme.equals("https")) {
            host = HostHeader.hostOf(host);
        }
        return routeId + " GET " + scheme + "://" + host + target;
    }
}
