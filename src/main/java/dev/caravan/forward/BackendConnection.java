package dev.caravan.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The handler at the end of a backend connection's pipeline. It passes what the backend sends to the
 * {@link ForwardCall} currently using the connection; between calls the connection sits idle in its pool.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(BackendConnection.class);
    /** Response timeouts are enforced to within this many milliseconds. */
    private static final long DEADLINE_CHECK_MILLIS = 100;
    /** Several lookups per request: a channel attribute, not a walk of the pipeline comparing handler names. */
    private static final AttributeKey<BackendConnection> KEY = AttributeKey.valueOf(BackendConnection.class, "connection");

    private final ConnectionSource pool;
    private ForwardCall call;
    /** The connection became a WebSocket: the end of the 101 may still come through; nothing else will. */
    private boolean upgrading;
    private ChannelHandlerContext context;
    /** The HTTP/1.1 response decoder's place, or null on a stream to an HTTP/2 backend. */
    private ChannelHandlerContext decoderContext;
    private long idleSince;
    private long idleTimeoutNanos;
    private ScheduledFuture<?> deadlineCheck;

    BackendConnection(ConnectionSource pool) {
        this.pool = pool;
    }

    static BackendConnection of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** A call starts using this connection; its response is expected now (without a body for HEAD). */
    void attach(ForwardCall newCall, boolean headRequest) {
        this.call = newCall;
        BackendResponseDecoder decoder = decoder();
        if (decoder != null) {
            decoder.expectResponse(headRequest);
        }
    }

    void detach() {
        this.call = null;
        BackendResponseDecoder decoder = decoder();
        if (decoder != null) {
            decoder.responseEnded();
        }
    }

    /** The backend answered 101 to a WebSocket handshake: no more HTTP on this connection, and no pool either. */
    void detachForUpgrade() {
        this.call = null;
        this.upgrading = true;
        BackendResponseDecoder decoder = decoder();
        if (decoder != null) {
            decoder.hold();
        }
    }

    /** The HTTP/1.1 response decoder, or null on a stream to an HTTP/2 backend (its codec frames responses). */
    BackendResponseDecoder decoder() {
        ChannelHandlerContext decoder = decoderContext;
        return decoder == null || decoder.isRemoved() ? null : (BackendResponseDecoder) decoder.handler();
    }

    /** Bytes already read past the end of the response (HTTP/1.1 only: a stream cannot overrun). */
    boolean hasBytesBeyondResponse() {
        BackendResponseDecoder decoder = decoder();
        return decoder != null && decoder.hasBytesBeyondResponse();
    }

    void markIdle(long now, long timeoutNanos) {
        this.idleSince = now;
        this.idleTimeoutNanos = timeoutNanos;
    }

    boolean idleExpired(long now) {
        return now - idleSince >= idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
        this.decoderContext = ctx.pipeline().context("decoder");
        ctx.channel().attr(KEY).set(this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // one periodic check per connection enforces response deadlines, instead of a timer per request
        deadlineCheck = ctx.executor().scheduleAtFixedRate(() -> {
            ForwardCall current = call;
            if (current != null) {
                current.checkDeadline(System.nanoTime());
            }
        }, DEADLINE_CHECK_MILLIS, DEADLINE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ForwardCall current = call;
        if (upgrading) {
            ReferenceCountUtil.release(msg); // the (empty) end of the 101
            return;
        }
        if (current == null) {
            // nothing was asked: a backend talking out of turn cannot be trusted with the next request
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse response) {
            current.onResponseHead(response);
        }
        if (msg instanceof HttpContent content) {
            current.onResponseContent(content);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ForwardCall current = call;
        if (current != null) {
            current.onReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ForwardCall current = call;
        if (current != null) {
            current.onWritabilityChanged();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // the connection became a WebSocket tunnel
        ctx.channel().attr(KEY).set(null);
        if (deadlineCheck != null) {
            deadlineCheck.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadlineCheck != null) {
            deadlineCheck.cancel(false);
        }
        pool.forget(ctx.channel());
        ForwardCall current = call;
        call = null;
        if (current != null) {
            current.onConnectionClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Backend connection error; closing", cause);
        ctx.close();
    }
}
