package dev.caravan.grpc;

import dev.caravan.http.BodySource;
import dev.caravan.http.FilteringBodySource;
import dev.caravan.http.RequestLog;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Notes the {@code grpc-status} a client gets in the exchange's {@link RequestLog} (for logs and metrics): from the
 * trailers as they pass, or from the head of a trailers-only answer. The body passes unchanged.
 */
final class GrpcStatusCapture extends FilteringBodySource {

    private final RequestLog log;

    GrpcStatusCapture(HttpMessage head, BodySource body, RequestLog log) {
        super(body);
        this.log = log;
        note(head.headers().get("grpc-status"));
    }

    @Override
    public void onContent(HttpContent content) {
        if (content instanceof LastHttpContent last) {
            note(last.trailingHeaders().get("grpc-status"));
        }
        super.onContent(content);
    }

    private void note(String status) {
        if (status != null) {
            try {
                log.grpcStatus(Integer.parseInt(status.trim()));
            } catch (NumberFormatException e) {
                // not a status; nothing to note
            }
        }
    }
}
