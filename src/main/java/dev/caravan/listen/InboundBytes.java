package dev.caravan.listen;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the request decoder and tells the connection that bytes arrived, before they make a whole request head:
 * the decoder shows nothing until the head is complete, and the header timeout must start at its first byte.
 */
final class InboundBytes extends ChannelInboundHandlerAdapter {

    private final ClientConnection connection;

    InboundBytes(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.bytesArrived();
        ctx.fireChannelRead(msg);
    }
}
