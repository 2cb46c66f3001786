package dev.caravan.grpc;

import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaderNames;

import java.util.function.Consumer;

/**
 * Listener-wide set-up of gRPC requests ({@code content-type: application/grpc...}), as each exchange starts: the
 * gateway's own failures are answered as gRPC statuses ({@link GrpcErrors}), and the status the client gets is noted
 * in the request log ({@link GrpcStatusCapture}). Everything else about gRPC is HTTP/2 end to end: the route forwards
 * with {@code protocol=h2c} or {@code h2}, bodies stream with flow control, trailers are relayed.
 */
public final class GrpcExchanges implements Consumer<ProxyExchange> {

    private final GrpcErrors errors = new GrpcErrors();

    @Override
    public void accept(ProxyExchange exchange) {
        if (!GrpcStatus.isGrpc(exchange.head().headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            return;
        }
        exchange.renderErrorsWith(errors);
        exchange.decorateResponseBody((head, body) -> new GrpcStatusCapture(head, body, exchange.log()));
    }
}
