package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A body read off a connection: what arrives before anyone reads it waits in order, within a bounded queue. */
class StreamingBodyTest {

    private final List<String> reads = new ArrayList<>();
    private final StreamingBody body = new StreamingBody(new ReadControl() {
        @Override
        public void pauseReading() {
            reads.add("pause");
        }

        @Override
        public void resumeReading() {
            reads.add("resume");
        }

        @Override
        public void discarded() {
            reads.add("discarded");
        }
    });

    private static HttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** Records what it is given (as text, released at once) and when batches end. */
    private static final class Recorder implements BodySink {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onContent(HttpContent content) {
            String text = content.content().toString(StandardCharsets.US_ASCII);
            seen.add(content instanceof LastHttpContent ? "last:" + text : text);
            content.release();
        }

        @Override
        public void onBatchEnd() {
            seen.add("|");
        }

        @Override
        public void onError(Throwable cause) {
            seen.add("error");
        }
    }

    @Test
    void whatArrivedBeforeTheReaderComesInOrderThenTheRestAsItArrives() {
        body.offer(chunk("a"));
        body.offer(chunk("b"));
        body.offer(chunk("c"));
        Recorder recorder = new Recorder();
        body.subscribe(recorder);
        body.offer(chunk("d"));
        body.offer(new DefaultLastHttpContent(Unpooled.copiedBuffer("e", StandardCharsets.US_ASCII)));
        assertEquals(List.of("a", "b", "c", "|", "d", "last:e"), recorder.seen);
        assertTrue(body.isComplete());
    }

    @Test
    void aLoneEndWaitsAndIsDeliveredAlone() {
        body.offer(LastHttpContent.EMPTY_LAST_CONTENT);
        Recorder recorder = new Recorder();
        body.subscribe(recorder);
        assertEquals(List.of("last:", "|"), recorder.seen);
        assertEquals(List.of(), reads, "a complete body asks nothing of the connection");
    }

    @Test
    void discardingReleasesEveryQueuedChunk() {
        List<ByteBuf> buffers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpContent content = chunk("x" + i);
            buffers.add(content.content());
            body.offer(content);
        }
        body.discard();
        for (ByteBuf buffer : buffers) {
            assertEquals(0, buffer.refCnt());
        }
        HttpContent late = chunk("late");
        body.offer(late);
        assertEquals(0, late.content().refCnt(), "what arrives after the discard is dropped too");
        assertEquals(List.of("discarded"), reads, "the connection is told nobody will read the rest");
    }

    @Test
    void pastTheHighWaterMarkTheConnectionStopsReadingUntilSomeoneReads() {
        int sent = 0;
        while (sent <= StreamingBody.HIGH_WATER_BYTES) {
            body.offer(chunk("y".repeat(4096)));
            sent += 4096;
        }
        assertEquals(List.of("pause"), reads);
        Recorder recorder = new Recorder();
        body.subscribe(recorder);
        assertEquals(List.of("pause", "resume"), reads);
        assertEquals(sent / 4096 + 1, recorder.seen.size(), "every chunk, then the batch end");
    }
}
