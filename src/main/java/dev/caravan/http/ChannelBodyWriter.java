package dev.caravan.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.function.Consumer;

/**
 * Writes a {@link BodySource} to a channel with backpressure: when the channel's outbound buffer passes its
 * high-water mark the source stops reading, and resumes when the channel drains. So a slow reader throttles the
 * writer instead of filling memory.
 */
public final class ChannelBodyWriter implements BodySink {

    private final Channel target;
    private final BodySource source;
    private final Consumer<ChannelFuture> onEnd;
    private final Consumer<Throwable> onError;
    private boolean waitingForWritable;

    public ChannelBodyWriter(Channel target, BodySource source, Consumer<ChannelFuture> onEnd, Consumer<Throwable> onError) {
        this.target = target;
        this.source = source;
        this.onEnd = onEnd;
        this.onError = onError;
    }

    @Override
    public void onContent(HttpContent content) {
        if (content instanceof LastHttpContent) {
            onEnd.accept(target.writeAndFlush(content));
            return;
        }
        target.write(content, target.voidPromise());
        if (!target.isWritable() && !waitingForWritable) {
            // pause before flushing: a flush can drain the buffer and report writability at once
            waitingForWritable = true;
            source.pause();
            target.flush();
        }
    }

    @Override
    public void onBatchEnd() {
        target.flush();
    }

    @Override
    public void onError(Throwable cause) {
        onError.accept(cause);
    }

    /** Called by the target channel's handler when its writability changes. */
    public void writabilityChanged() {
        if (waitingForWritable && target.isWritable()) {
            waitingForWritable = false;
            source.resume();
        }
    }
}
