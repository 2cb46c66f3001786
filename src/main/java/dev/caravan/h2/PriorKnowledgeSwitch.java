package dev.caravan.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * On a cleartext listener that takes {@code h2c}: reads just enough of a new connection to tell the HTTP/2 preface
 * ({@code PRI * HTTP/2.0...}) from an HTTP/1.1 request (one byte for most methods), then hands everything it held to
 * HTTP/2 or to HTTP/1.1 and leaves the pipeline. HTTP/1.1 clients on the same port are served as before; the
 * HTTP/1.1 {@code Upgrade: h2c} dance is not offered (clients that want h2c use prior knowledge).
 */
final class PriorKnowledgeSwitch extends ChannelInboundHandlerAdapter {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final H2Server server;
    private final Consumer<ChannelPipeline> removeHttp1;
    private final List<ByteBuf> held = new ArrayList<>(1);
    private int matched;

    PriorKnowledgeSwitch(H2Server server, Consumer<ChannelPipeline> removeHttp1) {
        this.server = server;
        this.removeHttp1 = removeHttp1;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        held.add(bytes);
        int length = PREFACE.readableBytes();
        for (int i = bytes.readerIndex(); i < bytes.writerIndex() && matched < length; i++) {
            if (bytes.getByte(i) != PREFACE.getByte(PREFACE.readerIndex() + matched)) {
                handOver(ctx, false);
                return;
            }
            matched++;
        }
        if (matched == length) {
            handOver(ctx, true);
        }
    }

    private void handOver(ChannelHandlerContext ctx, boolean h2) {
        ChannelPipeline pipeline = ctx.pipeline();
        if (h2) {
            removeHttp1.accept(pipeline);
            server.install(pipeline);
        }
        for (ByteBuf bytes : held) {
            ctx.fireChannelRead(bytes);
        }
        held.clear();
        ctx.fireChannelReadComplete();
        pipeline.remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
