package dev.caravan.forward;

import dev.caravan.http.BodySource;
import dev.caravan.http.GatewayException;
import dev.caravan.http.MessageHeaders;
import dev.caravan.http.ProxyRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns the route's message (method, target, headers as the route left them) into a backend request and runs a
 * {@link ForwardCall} on the client connection's event loop. The body is passed as a stream handle, never as bytes.
 */
final class ForwardProducer extends DefaultAsyncProducer {

    private final List<BackendTarget> targets;
    private final List<BackendPool> pools;
    private final TargetRewrite rewrite;
    private final boolean preserveHost;
    private final long responseTimeoutMillis;
    private final AtomicInteger next = new AtomicInteger();

    ForwardProducer(ForwardEndpoint endpoint, List<BackendTarget> targets, List<BackendPool> pools, TargetRewrite rewrite,
                    boolean preserveHost, long responseTimeoutMillis) {
        super(endpoint);
        this.targets = targets;
        this.pools = pools;
        this.rewrite = rewrite;
        this.preserveHost = preserveHost;
        this.responseTimeoutMillis = responseTimeoutMillis;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyRequest request = exchange.getProperty(ProxyRequest.PROPERTY, ProxyRequest.class);
        if (request == null) {
            exchange.setException(new IllegalStateException(
                    "caravan-forward can only forward a request received by a caravan: endpoint"));
            callback.done(true);
            return true;
        }
        if (!request.channel().isActive()) {
            exchange.setException(new GatewayException(499, "Client closed the connection"));
            callback.done(true);
            return true;
        }
        EventLoop loop = request.channel().eventLoop();
        if (loop.inEventLoop()) {
            return forward(exchange, callback, request, true);
        }
        // a route step moved the exchange to another thread: come back to the connection's loop
        loop.execute(() -> forward(exchange, callback, request, false));
        return false;
    }

    /** Returns whether the exchange completed synchronously; {@code mayCompleteSync} is false on the hop path. */
    private boolean forward(Exchange exchange, AsyncCallback callback, ProxyRequest request, boolean mayCompleteSync) {
        int index = targets.size() == 1 ? 0 : Math.floorMod(next.getAndIncrement(), targets.size());
        BackendTarget target = targets.get(index);
        Message message = exchange.getMessage();
        String method = message.getHeader(Exchange.HTTP_METHOD, request.method().name(), String.class);
        String rawTarget = message.getHeader(Exchange.HTTP_URI, request.rawTarget(), String.class);
        HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                rewrite.apply(rawTarget, target.basePath()), false);
        HttpHeaders headers = outgoing.headers();
        MessageHeaders.toWire(message.getHeaders(), headers);
        if (!preserveHost || !headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, target.authority());
        }
        ForwardedHeaders.apply(headers, request);

        BodySource streamed = null;
        ByteBuf fixed = null;
        Object body = message.getBody();
        if (body instanceof BodySource source) {
            if (source == request.body() && request.hasBody()) {
                if (source.isConsumed()) {
                    exchange.setException(new GatewayException(502,
                            "The request body was already sent to another backend; it cannot be sent again"));
                    callback.done(mayCompleteSync);
                    return mayCompleteSync;
                }
                streamed = source;
                // framing comes from what the listener's decoder used, never from headers a route could change
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
                if (HttpUtil.isTransferEncodingChunked(request.head())) {
                    HttpUtil.setTransferEncodingChunked(outgoing, true);
                } else {
                    HttpUtil.setContentLength(outgoing, HttpUtil.getContentLength(request.head(), 0L));
                }
            } else {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            }
        } else if (body != null) {
            byte[] bytes = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
            if (bytes == null) {
                exchange.setException(new IllegalArgumentException(
                        "Cannot send a body of type " + body.getClass().getName() + " to a backend"));
                callback.done(mayCompleteSync);
                return mayCompleteSync;
            }
            fixed = Unpooled.wrappedBuffer(bytes);
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        } else {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        new ForwardCall(exchange, callback, request, pools.get(index), outgoing, streamed, fixed, responseTimeoutMillis)
                .start();
        return false;
    }
}
