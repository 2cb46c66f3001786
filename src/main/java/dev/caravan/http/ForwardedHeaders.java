package dev.caravan.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Tells the backend who really asked: appends the client address to {@code X-Forwarded-For}, sets
 * {@code X-Forwarded-Proto/-Host/-Port} from the client connection, and appends this hop to {@code Via}.
 */
final class ForwardedHeaders {

    private static final String X_FORWARDED_FOR = "X-Forwarded-For";

    private ForwardedHeaders() {
    }

    static void apply(HttpHeaders out, ProxyExchange request) {
        String clientIp = request.remoteAddress().getAddress().getHostAddress();
        if (!request.client().keepsForwardedChain()) {
            // an untrusted peer's forwarding headers are lies until proven otherwise: start the chain afresh
            out.remove(X_FORWARDED_FOR);
            out.remove("Forwarded");
            out.remove("X-Real-IP");
            out.remove(HttpHeaderNames.VIA);
        }
        String prior = String.join(", ", out.getAll(X_FORWARDED_FOR));
        out.set(X_FORWARDED_FOR, prior.isBlank() ? clientIp : prior + ", " + clientIp);
        out.set("X-Forwarded-Proto", request.isSecure() ? "https" : "http");
        String host = request.head().headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            out.set("X-Forwarded-Host", host);
        }
        out.set("X-Forwarded-Port", Integer.toString(request.localAddress().getPort()));
        String hop = (request.version().minorVersion() == 0 ? "1.0" : "1.1") + " caravan";
        String via = String.join(", ", out.getAll(HttpHeaderNames.VIA));
        out.set(HttpHeaderNames.VIA, via.isBlank() ? hop : via + ", " + hop);
    }
}
