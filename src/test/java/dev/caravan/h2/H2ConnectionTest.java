package dev.caravan.h2;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP/2 connection's own rules on an embedded channel with a hand-moved clock. */
class H2ConnectionTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private EmbeddedChannel channel;

    private H2Connection connect(int maxStreams) {
        Http2FrameCodec codec = H2Settings.DEFAULTS.serverCodec();
        H2Connection connection = new H2Connection(codec, 1000, 5000, maxStreams, now::get);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(codec, connection);
        return connection;
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    @AfterEach
    void close() {
        Object out;
        while ((out = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(out);
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionWithoutAStreamIsClosedAfterTheFirstStreamTimeout() {
        connect(0);
        advance(600);
        assertTrue(channel.isActive());
        advance(700);
        advance(300);
        assertFalse(channel.isActive(), "closed: no stream within the header timeout");
    }

    @Test
    void afterAStreamTheKeepAliveTimeoutApplies() {
        H2Connection connection = connect(0);
        connection.streamOpened();
        advance(2000);
        assertTrue(channel.isActive(), "a connection that had a stream gets the longer idle timeout");
        advance(2000);
        advance(2000);
        advance(2000);
        assertFalse(channel.isActive());
    }

    @Test
    void theLastAllowedStreamClosesTheConnectionGracefully() {
        H2Connection connection = connect(3);
        connection.streamOpened();
        connection.streamOpened();
        channel.runPendingTasks();
        assertTrue(channel.isActive());
        connection.streamOpened();
        channel.runPendingTasks();
        assertFalse(channel.isActive(), "GOAWAY and close once no stream is open");
    }
}
