package dev.caravan.forward;

import dev.caravan.http.FramingGuard;
import dev.caravan.http.ReadTime;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

import java.util.List;

/**
 * Reads a backend's responses, strictly: oversized chunk sizes and folded headers are invalid responses
 * ({@link FramingGuard}); the response to a HEAD request has no body, however many 1xx come first (Netty's
 * client codec forgets the HEAD at the first 1xx and then waits for a body that never comes); and bytes that arrive
 * while no request is waiting for them (past the end of a response, or on an idle kept connection) close the
 * connection instead of being read as the next request's answer.
 */
final class BackendResponseDecoder extends HttpResponseDecoder {

    private boolean answeringHead;
    private boolean expecting;
    /** The backend switched to WebSocket: what follows is not HTTP and stays here until the tunnel takes it. */
    private boolean held;

    BackendResponseDecoder(HttpDecoderConfig config) {
        super(config);
    }

    /** A request was sent (or is being sent): its response is expected, with no body if it was HEAD. */
    void expectResponse(boolean headRequest) {
        this.answeringHead = headRequest;
        this.expecting = true;
    }

    /** The response ended; anything that arrives now is out of turn. */
    void responseEnded() {
        this.expecting = false;
    }

    void hold() {
        held = true;
    }

    /** Bytes already read past the end of the current response (a backend that sent more than it declared). */
    boolean hasBytesBeyondResponse() {
        return actualReadableBytes() > 0;
    }

    /** One clock read times everything this read sets off ({@link ReadTime}). */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long before = ReadTime.begin(System.nanoTime());
        try {
            super.channelRead(ctx, msg);
        } finally {
            ReadTime.end(before);
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (answeringHead && msg instanceof HttpResponse response && response.status().code() >= 200) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (held) {
            return;
        }
        if (!expecting) {
            // a backend talking out of turn cannot be trusted with the next request
            buffer.skipBytes(buffer.readableBytes());
            ctx.close();
            return;
        }
        String problem = FramingGuard.problem(this, buffer);
        if (problem != null) {
            buffer.skipBytes(buffer.readableBytes());
            ctx.fireExceptionCaught(new IllegalArgumentException("Invalid response from backend: " + problem));
            return;
        }
        super.decode(ctx, buffer, out);
    }
}
