package dev.caravan.grpc;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;

/**
 * A gRPC "trailers-only" answer (one HEADERS frame that ends the stream, carrying {@code grpc-status}) arrives from
 * an HTTP/2 backend as one full response; relayed as it is, a client would get headers and then an empty DATA frame
 * that ends the stream, which gRPC clients reject. Split, the status travels as trailers after the head, which every
 * client reads, over HTTP/2 or HTTP/1.1.
 */
public final class TrailersOnlyResponse {

    private static final List<String> STATUS_FIELDS = List.of("grpc-status", "grpc-message", "grpc-status-details-bin");

    private TrailersOnlyResponse() {
    }

    /** Null when {@code full} is not a trailers-only gRPC answer; else its head and its trailers (owning the body). */
    public static Object[] split(FullHttpResponse full) {
        HttpHeaders headers = full.headers();
        if (!headers.contains("grpc-status")) {
            return null;
        }
        HttpResponse head = new DefaultHttpResponse(full.protocolVersion(), full.status(), headers.copy());
        LastHttpContent last = new DefaultLastHttpContent(full.content());
        for (String name : STATUS_FIELDS) {
            List<String> values = headers.getAll(name);
            if (!values.isEmpty()) {
                last.trailingHeaders().set(name, values);
                head.headers().remove(name);
            }
        }
        last.trailingHeaders().add(full.trailingHeaders());
        return new Object[] {head, last};
    }
}
