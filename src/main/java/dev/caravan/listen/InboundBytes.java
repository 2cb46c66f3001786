package dev.caravan.listen;

import dev.caravan.http.ReadTime;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the request decoder and tells the connection that bytes arrived, before they make a whole request head:
 * the decoder shows nothing until the head is complete, and the header timeout must start at its first byte. The
 * read's time is also the {@link ReadTime} of everything it sets off.
 */
final class InboundBytes extends ChannelInboundHandlerAdapter {

    private final ClientConnection connection;

    InboundBytes(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection.countsRawBytes();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long before = ReadTime.begin(connection.bytesArrived());
        try {
            ctx.fireChannelRead(msg);
        } finally {
            ReadTime.end(before);
        }
    }
}
