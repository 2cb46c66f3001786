package dev.caravan.listen;

import dev.caravan.http.FramingGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;

/**
 * Netty's request decoder, made strict where leniency enables request smuggling: a message carrying both
 * {@code Transfer-Encoding} and {@code Content-Length} is rejected instead of silently dropping the length; chunk sizes
 * that do not fit and obs-folded header lines are rejected ({@link FramingGuard}). Bare-LF line endings are refused by
 * Netty's strict line parsing, and differing duplicate lengths by its defaults. After a rejection nothing more is
 * decoded from the connection.
 */
final class RequestDecoder extends HttpRequestDecoder {

    private boolean broken;
    /** A WebSocket handshake was read: what follows is not HTTP and stays unread here until the tunnel takes it. */
    private boolean held;
    /** A message head was emitted and its content has not ended yet. */
    private boolean inMessage;

    RequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new FramedTwice();
    }

    /** A request framed both by chunks and by length: refused with 400 whatever its codings (RFC 9112 6.3). */
    static final class FramedTwice extends IllegalArgumentException {
        FramedTwice() {
            super("Transfer-Encoding and Content-Length in one request");
        }
    }

    /** Stops decoding after the current message; the bytes after it stay in this decoder until it is removed. */
    void hold() {
        held = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (held) {
            return;
        }
        if (broken) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        String problem = FramingGuard.problem(this, buffer);
        if (problem != null) {
            broken = true;
            buffer.skipBytes(buffer.readableBytes());
            IllegalArgumentException cause = new IllegalArgumentException(problem);
            if (inMessage) {
                LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                failed.setDecoderResult(DecoderResult.failure(cause));
                out.add(failed);
            } else {
                DefaultFullHttpRequest failed = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET,
                        "/bad-request");
                failed.setDecoderResult(DecoderResult.failure(cause));
                out.add(failed);
            }
            return;
        }
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpMessage) {
                inMessage = true;
            }
            if (msg instanceof LastHttpContent) {
                inMessage = false;
            }
        }
    }
}
