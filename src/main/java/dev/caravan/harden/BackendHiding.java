package dev.caravan.harden;

import dev.caravan.http.BodySource;
import dev.caravan.http.ErrorPage;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.StreamingBody;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.camel.Exchange;

import java.util.List;

/**
 * What one {@code caravan-hide} step does to every response of a request (the backend's, one the route made, or the
 * gateway's error page): takes out the headers that name the software behind the gateway, sets Caravan's own
 * {@code Server} value or none, puts back the standard reason phrase (a backend's own may say anything, say
 * {@code 500 NullPointerException in OrderDao}), and optionally sends the gateway's error page instead of the body of
 * a backend's error response.
 */
final class BackendHiding {

    /** The headers that describe a body: they go with the backend's body when the gateway's page replaces it. */
    private static final List<CharSequence> BODY_HEADERS = List.of(HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.CONTENT_LANGUAGE,
            HttpHeaderNames.CONTENT_LOCATION, HttpHeaderNames.CONTENT_RANGE, HttpHeaderNames.CONTENT_DISPOSITION,
            HttpHeaderNames.CONTENT_MD5, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.ETAG,
            HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.EXPIRES, "Digest",
            "Content-Digest", "Repr-Digest");

    private final HeaderNames remove;
    private final String server;
    private final int replaceFrom;

    BackendHiding(HideConfiguration configuration) {
        this.remove = new HeaderNames(configuration.getRemove(), configuration.getAlsoRemove());
        this.server = configuration.getServer();
        this.replaceFrom = configuration.replaceFrom();
    }

    void apply(Exchange exchange) {
        ProxyExchange proxy = ProxyExchange.require(exchange, "caravan-hide");
        proxy.onResponseHead((request, head) -> hide(head));
        if (replaceFrom > 0) {
            proxy.decorateResponseBody((head, body) -> replaceErrorBody(proxy, head, body));
        }
    }

    private void hide(HttpResponse head) {
        HttpHeaders headers = head.headers();
        remove.removeFrom(headers);
        if (!server.isEmpty()) {
            headers.set(HttpHeaderNames.SERVER, server);
        }
        HttpResponseStatus standard = HttpResponseStatus.valueOf(head.status().code());
        if (!standard.reasonPhrase().equals(head.status().reasonPhrase())) {
            head.setStatus(standard);
        }
    }

    /**
     * The gateway's page instead of the body of a backend's error response. Only a backend's body is replaced
     * (whatever decorators wrap it): an answer the route made, or the gateway's page, stays as it is.
     */
    private BodySource replaceErrorBody(ProxyExchange proxy, HttpMessage message, BodySource body) {
        if (!(message instanceof HttpResponse head) || head.status().code() < replaceFrom || body == null
                || !proxy.isRelayingBackendBody()) {
            return body;
        }
        body.discard();
        FullHttpResponse page = ErrorPage.render(proxy.channel().alloc(), proxy.version(), head.status().code(),
                proxy.head().headers().get(HttpHeaderNames.ACCEPT));
        HttpHeaders headers = head.headers();
        BODY_HEADERS.forEach(headers::remove);
        headers.add(page.headers()); // its Content-Type, Content-Length and Cache-Control
        return StreamingBody.of(page.content());
    }
}
