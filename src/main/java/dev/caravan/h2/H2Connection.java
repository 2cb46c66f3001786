package dev.caravan.h2;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What belongs to an HTTP/2 connection as a whole, not to its streams: how long it may sit without an open stream
 * (the first one within the header timeout, later ones within the keep-alive timeout; frames such as PINGs do not
 * count as activity), how many streams it may open before it is asked to go away, and a graceful close (GOAWAY, then
 * the open streams finish) on shutdown. Per-stream timeouts and limits are the per-request chain's, as on HTTP/1.1.
 */
public final class H2Connection extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(H2Connection.class);

    private final Http2FrameCodec codec;
    private final long firstStreamTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int maxStreams;
    private final LongSupplier clock;
    private ChannelHandlerContext ctx;
    private int streams;
    private long idleSince;
    private boolean closing;
    private ScheduledFuture<?> check;

    H2Connection(Http2FrameCodec codec, long firstStreamTimeoutMillis, long idleTimeoutMillis, int maxStreams,
                 LongSupplier clock) {
        this.codec = codec;
        this.firstStreamTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(firstStreamTimeoutMillis);
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        this.maxStreams = maxStreams;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idleSince = clock.getAsLong();
        scheduleCheck();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
    }

    /** A client opened a stream (called from the stream's initializer, on this connection's loop). */
    void streamOpened() {
        streams++;
        if (maxStreams > 0 && streams >= maxStreams && !closing) {
            // like HTTP/1.1's last response saying Connection: close: this stream is served, the client moves on
            ctx.executor().execute(this::closeWhenIdle);
        }
    }

    /** Streams opened so far (tests, logs). */
    public int streams() {
        return streams;
    }

    /** Sends GOAWAY; open streams finish (for up to {@link H2Settings#GRACEFUL_CLOSE_MILLIS}), then it closes. */
    public void closeWhenIdle() {
        closing = true;
        ctx.channel().close();
    }

    private void scheduleCheck() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(firstStreamTimeoutNanos, idleTimeoutNanos) / 4);
        check = ctx.executor().schedule(this::checkIdle, period, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = clock.getAsLong();
        if (codec.connection().numActiveStreams() > 0) {
            idleSince = 0;
        } else if (idleSince == 0) {
            idleSince = now;
        } else if (now - idleSince >= (streams == 0 ? firstStreamTimeoutNanos : idleTimeoutNanos)) {
            closeWhenIdle();
            return;
        }
        scheduleCheck();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (io.netty.handler.codec.http2.Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // the codec shows it here first, then sends GOAWAY with the right error code and closes
            LOG.debug("HTTP/2 connection error from the client: {}", cause.toString());
            return;
        }
        LOG.debug("HTTP/2 connection error; closing", cause);
        ctx.close();
    }
}
