package dev.caravan.http;

import io.netty.handler.codec.http.HttpResponse;

/**
 * The response half of the head tier: edits every final response head of one exchange just before it is written,
 * whoever made it (a backend, the route, or the gateway's own error page). Installed by a route step with
 * {@link ProxyExchange#onResponseHead} (or for a whole listener in its config); filters run in reverse order of
 * installation, so the step that ran first in the route has the last word. Runs on the exchange's event loop.
 */
@FunctionalInterface
public interface ResponseHeadFilter {

    void filter(ProxyExchange exchange, HttpResponse head);
}
