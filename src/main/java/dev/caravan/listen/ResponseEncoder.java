package dev.caravan.listen;

import dev.caravan.http.FileBackedContent;
import dev.caravan.http.HeaderFieldsEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A response encoder that knows when the response answers a HEAD request, so it writes no body framing for it even if
 * the headers say {@code Transfer-Encoding: chunked} (they describe what a GET would get). Header fields are copied
 * whole ({@link HeaderFieldsEncoder}). On a connection without TLS, a body that lies in a file
 * ({@link FileBackedContent}) is written as the file, for sendfile(2).
 */
final class ResponseEncoder extends HttpResponseEncoder {

    private final boolean sendsFiles;
    private boolean answeringHead;

    /** @param sendsFiles the bytes written go to the socket as they are (no TLS below), so files can go as files */
    ResponseEncoder(boolean sendsFiles) {
        this.sendsFiles = sendsFiles;
    }

    void answeringHead(boolean head) {
        this.answeringHead = head;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (sendsFiles && !answeringHead && msg instanceof FileBackedContent content) {
            FileRegion region = content.region();
            if (region != null) {
                content.release();
                // the region's own outcome is the last write's too: a failed sendfile fails the connection
                super.write(ctx, region, ctx.voidPromise());
                super.write(ctx, LastHttpContent.EMPTY_LAST_CONTENT, promise);
                return;
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        HeaderFieldsEncoder.encode(headers, buf);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return (answeringHead && msg.status().code() >= 200) || super.isContentAlwaysEmpty(msg);
    }
}
