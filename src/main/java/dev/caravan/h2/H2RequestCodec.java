package dev.caravan.h2;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The first handler of a stream's channel: it makes one HTTP/2 stream look like one HTTP/1.1 request and response to
 * the per-request chain the HTTP/1.1 connections use. Requests are converted by {@link H2RequestHead} (a malformed one
 * resets the stream with PROTOCOL_ERROR and nothing of it goes further); request trailers end the body and are dropped,
 * as on HTTP/1.1; responses, 1xx, bodies and response trailers are encoded by Netty's codec.
 */
final class H2RequestCodec extends Http2StreamFrameToHttpObjectCodec {

    private static final Logger LOG = LoggerFactory.getLogger(H2RequestCodec.class);

    private boolean headSeen;
    private boolean refused;

    H2RequestCodec() {
        super(true, true);
    }

    @Override
    public boolean isSharable() {
        return false; // it remembers where in its stream it is
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (refused) {
            return; // the base class releases what it does not pass on
        }
        if (frame instanceof Http2HeadersFrame headers) {
            if (!headSeen) {
                headSeen = true;
                HttpRequest request;
                try {
                    request = H2RequestHead.toHttp1(headers.headers(), headers.isEndStream());
                } catch (H2RequestHead.MalformedRequest e) {
                    refuse(ctx, e.getMessage());
                    return;
                }
                out.add(request);
                if (headers.isEndStream()) {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                }
                return;
            }
            if (!headers.isEndStream()) {
                refuse(ctx, "a second header block that does not end the stream");
                return;
            }
            out.add(LastHttpContent.EMPTY_LAST_CONTENT); // trailers end the body; they are not forwarded
            return;
        }
        if (!headSeen) {
            refuse(ctx, "DATA before the request head");
            return;
        }
        super.decode(ctx, frame, out);
    }

    /**
     * A protocol error on this stream (a content-length the DATA frames do not match, a header the codec refused):
     * the multiplexer resets the stream with that error right after this, so nothing after this handler closes it
     * first (which would reset it with CANCEL instead).
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof io.netty.handler.codec.http2.Http2Exception) {
            LOG.debug("HTTP/2 stream error: {}", cause.toString());
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    /** A malformed request is a stream error (RFC 9113 8.1.1): reset the stream, forward nothing. */
    private void refuse(ChannelHandlerContext ctx, String why) {
        refused = true;
        LOG.debug("Refusing HTTP/2 stream: {}", why);
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
