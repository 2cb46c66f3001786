package dev.caravan.forward;

import dev.caravan.grpc.TrailersOnlyResponse;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * Between Netty's stream codec and the {@link BackendConnection} on a stream to an HTTP/2 backend. Toward the backend:
 * {@code te: trailers} (gRPC servers require it, and Caravan relays trailers) and no {@code x-http2-*} field a client
 * sent (the codec would read them as pseudo-headers). From the backend: no {@code x-http2-*} conversion artefacts, and a
 * gRPC trailers-only answer split into head and trailers ({@link TrailersOnlyResponse}).
 */
final class H2BackendStreamAdapter extends ChannelDuplexHandler {

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpRequest request) {
            removeConversionFields(request.headers());
            request.headers().set("te", "trailers");
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpMessage message) {
            removeConversionFields(message.headers());
        }
        if (msg instanceof FullHttpResponse full && full.status().code() >= 200) {
            Object[] split = TrailersOnlyResponse.split(full);
            if (split != null) {
                ctx.fireChannelRead(split[0]);
                ctx.fireChannelRead(split[1]);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static void removeConversionFields(HttpHeaders headers) {
        List<String> names = new ArrayList<>(2);
        for (String name : headers.names()) {
            if (name.regionMatches(true, 0, "x-http2-", 0, 8)) {
                names.add(name);
            }
        }
        names.forEach(headers::remove);
    }
}
