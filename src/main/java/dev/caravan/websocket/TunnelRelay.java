package dev.caravan.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * One direction of a {@link Tunnel}: the last handler of one side's pipeline, writing what that side sends to the
 * other side. It pauses its own side's reading while the other side is not writable and resumes when it drains. Bytes
 * that arrive before the tunnel starts (left in a decoder when the HTTP handlers were removed) wait, in order.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {

    private final Tunnel tunnel;
    private final Channel peer;
    private final LongConsumer counter;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>(1);
    private ChannelHandlerContext ctx;
    private boolean started;
    private long bytes;

    TunnelRelay(Tunnel tunnel, Channel peer, LongConsumer counter) {
        this.tunnel = tunnel;
        this.peer = peer;
        this.counter = counter;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void start() {
        started = true;
        ByteBuf next;
        boolean any = false;
        while ((next = early.poll()) != null) {
            relay(next);
            any = true;
        }
        if (any) {
            peer.flush();
        }
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            Tunnel.release(msg); // nothing but bytes is expected once the HTTP handlers are gone
            return;
        }
        if (!started) {
            early.add(buf);
            return;
        }
        relay(buf);
    }

    private void relay(ByteBuf buf) {
        int n = buf.readableBytes();
        bytes += n;
        counter.accept(n);
        tunnel.activity();
        if (!peer.isActive()) {
            buf.release();
            return;
        }
        peer.write(buf, peer.voidPromise());
        if (!peer.isWritable()) {
            // the other side is not keeping up: stop reading this side until it drains (flush first)
            ctx.channel().config().setAutoRead(false);
            peer.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    /** Called on this side's writability: the other side's relay writes here and may wait for it. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer.isActive()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ByteBuf::release);
        early.clear();
        tunnel.sideClosed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
