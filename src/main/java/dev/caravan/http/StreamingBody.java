package dev.caravan.http;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * The {@link BodySource} for a body read from a connection. Content that arrives before a sink subscribes is queued;
 * past a small high-water mark the connection stops reading, so memory stays bounded whatever the body size.
 */
public final class StreamingBody implements BodySource {

    /** Bytes queued before a subscriber appears; beyond this the source connection stops reading. */
    static final int HIGH_WATER_BYTES = 64 * 1024;

    private final ReadControl reads;
    /** The oldest queued content: most bodies queue at most one (a GET's empty end), so no deque for them. */
    private HttpContent first;
    /** What queued after {@link #first}, made on first need. */
    private ArrayDeque<HttpContent> rest;
    private int queuedBytes;
    private BodySink sink;
    private boolean complete;
    private boolean discarded;
    private boolean inReadBurst;
    private Throwable failure;

    public StreamingBody(ReadControl reads) {
        this.reads = reads;
    }

    /** A body that is already complete and empty (no content will arrive). */
    public static StreamingBody empty() {
        StreamingBody body = new StreamingBody(NO_READS);
        body.offer(LastHttpContent.EMPTY_LAST_CONTENT);
        return body;
    }

    /** A complete body held in memory (a page the gateway or a route made); takes ownership of {@code content}. */
    public static StreamingBody of(io.netty.buffer.ByteBuf content) {
        return of(new io.netty.handler.codec.http.DefaultLastHttpContent(content));
    }

    /** A body that is the one content given, whole. */
    public static StreamingBody of(LastHttpContent content) {
        StreamingBody body = new StreamingBody(NO_READS);
        body.offer(content);
        return body;
    }

    // ---- producer side: the connection handler feeds it

    public void offer(HttpContent content) {
        inReadBurst = true;
        if (content instanceof LastHttpContent) {
            complete = true;
        }
        if (discarded) {
            ReferenceCountUtil.release(content);
            return;
        }
        if (sink != null && first == null) { // (rest is empty whenever first is: see poll())
            sink.onContent(content);
            return;
        }
        queue(content);
        queuedBytes += content.content().readableBytes();
        if (sink == null && queuedBytes > HIGH_WATER_BYTES && !complete) {
            reads.pauseReading();
        }
    }

    /** The source connection is inside a read: whatever is written now gets flushed at {@link #batchEnd()}. */
    public void readBurstStarted() {
        inReadBurst = true;
    }

    public void batchEnd() {
        inReadBurst = false;
        if (sink != null && !discarded) {
            sink.onBatchEnd();
        }
    }

    /** The connection ended or failed before the last content. */
    public void fail(Throwable cause) {
        releaseQueued();
        if (complete || failure != null) {
            return;
        }
        failure = cause;
        if (sink != null && !discarded) {
            sink.onError(cause);
        }
    }

    // ---- consumer side

    @Override
    public void subscribe(BodySink newSink) {
        if (sink != null || discarded) {
            throw new IllegalStateException("The request body was already consumed and cannot be sent again");
        }
        sink = newSink;
        if (failure != null) {
            newSink.onError(failure);
            return;
        }
        HttpContent next;
        boolean drained = false;
        while ((next = poll()) != null) {
            queuedBytes -= next.content().readableBytes();
            newSink.onContent(next);
            drained = true;
        }
        // inside a read burst of the source, its end flushes (so a response head and its body leave in one write);
        // outside one (a late subscriber), flush now or what was written before would wait for the next read
        if (drained || !inReadBurst) {
            newSink.onBatchEnd();
        }
        if (!complete) {
            reads.resumeReading();
        }
    }

    @Override
    public boolean isConsumed() {
        return sink != null || discarded;
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    @Override
    public void pause() {
        reads.pauseReading();
    }

    @Override
    public void resume() {
        if (!complete) {
            reads.resumeReading();
        }
    }

    @Override
    public void discard() {
        if (discarded) {
            return;
        }
        discarded = true;
        releaseQueued();
        if (!complete) {
            reads.discarded();
        }
    }

    private void queue(HttpContent content) {
        if (first == null) {
            first = content;
        } else {
            if (rest == null) {
                rest = new ArrayDeque<>(4);
            }
            rest.add(content);
        }
    }

    /** The oldest queued content, or null; what comes next moves up to {@link #first}. */
    private HttpContent poll() {
        HttpContent oldest = first;
        first = rest == null ? null : rest.poll();
        return oldest;
    }

    private void releaseQueued() {
        HttpContent next;
        while ((next = poll()) != null) {
            ReferenceCountUtil.release(next);
        }
        queuedBytes = 0;
    }

    private static final ReadControl NO_READS = new ReadControl() {
        @Override
        public void pauseReading() {
        }

        @Override
        public void resumeReading() {
        }
    };
}
