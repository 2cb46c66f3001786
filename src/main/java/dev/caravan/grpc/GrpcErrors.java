package dev.caravan.grpc;

import dev.caravan.http.ErrorRenderer;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.StreamingBody;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Caravan's own failures as a gRPC client understands them: HTTP 200, {@code content-type: application/grpc}, no
 * message, and {@code grpc-status} with {@code grpc-message} in the trailers ({@link GrpcStatus#forHttpStatus}), never
 * an HTML page. The message names the HTTP status only, like the error page: no host, port or exception.
 */
public final class GrpcErrors implements ErrorRenderer {

    @Override
    public void respond(ProxyExchange exchange, int status, HttpHeaders extraHeaders) {
        HttpResponse head = new DefaultHttpResponse(exchange.version(), HttpResponseStatus.OK);
        if (extraHeaders != null) {
            head.headers().setAll(extraHeaders);
        }
        head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        trailers.trailingHeaders().set("grpc-status", GrpcStatus.forHttpStatus(status));
        trailers.trailingHeaders().set("grpc-message", GrpcStatus.encodeMessage("gateway: "
                + status + " " + HttpResponseStatus.valueOf(status).reasonPhrase()));
        StreamingBody body = new StreamingBody(NO_READS);
        body.offer(trailers);
        exchange.respond(head, body);
    }

    private static final dev.caravan.http.ReadControl NO_READS = new dev.caravan.http.ReadControl() {
        @Override
        public void pauseReading() {
        }

        @Override
        public void resumeReading() {
        }
    };
}
