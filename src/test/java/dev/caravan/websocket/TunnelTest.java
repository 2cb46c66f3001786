package dev.caravan.websocket;

import dev.caravan.http.BodySource;
import dev.caravan.http.ClientInfo;
import dev.caravan.http.ClientResponder;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.http.StreamingBody;
import dev.caravan.testing.InetEmbeddedChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tunnel's relays on embedded channels: both directions, early bytes, backpressure, closes, idle. */
class TunnelTest {

    private final InetEmbeddedChannel client = new InetEmbeddedChannel();
    private final EmbeddedChannel backend = new EmbeddedChannel();
    private final AtomicInteger ends = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ProxyExchange exchange = new ProxyExchange(
            new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws"), "/ws", "/ws", StreamingBody.empty(),
            client, new ClientInfo("http", false, "127.0.0.1", ClientInfo.Peer.NO_PROXIES_CONFIGURED, null),
            new ClientResponder() {
                @Override
                public void writeInterim(ProxyExchange e, HttpResponse interim) {
                }

                @Override
                public void write(ProxyExchange e, HttpResponse head, BodySource body) {
                }

                @Override
                public void cut(ProxyExchange e) {
                }
            }, List.of(), new RequestLog(0, 1));

    private Tunnel open(Runnable removeClientHttp) {
        UpgradedBackend upgraded = new UpgradedBackend(backend, 1000, () -> { }, ends::incrementAndGet);
        return Tunnel.open(exchange, client, upgraded, removeClientHttp, now::get);
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private static String read(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        if (buf == null) {
            return null;
        }
        try {
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        backend.finishAndReleaseAll();
    }

    @Test
    void bytesGoBothWaysUnchangedAndAreCounted() {
        open(() -> { });
        client.writeInbound(bytes("\u0081\u0005hello"));
        assertEquals("\u0081\u0005hello", read(backend));
        backend.writeInbound(bytes("\u0081\u0002hi"));
        assertEquals("\u0081\u0002hi", read(client));
        assertEquals(7, exchange.log().bytesIn());
        assertEquals(4, exchange.log().bytesOut());
        assertTrue(exchange.isUpgraded());
    }

    @Test
    void bytesReadBeforeTheTunnelStartedGoFirst() {
        // bytes a decoder held go on when it is removed, before anything newer
        open(() -> client.pipeline().fireChannelRead(bytes("early")));
        assertEquals("early", read(backend));
        client.writeInbound(bytes("later"));
        assertEquals("later", read(backend));
    }

    @Test
    void aSideWhosePeerCannotTakeMoreStopsReadingUntilItDrains() {
        open(() -> { });
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        client.runPendingTasks();
        backend.writeInbound(bytes("frame"));
        assertFalse(backend.config().isAutoRead(), "the backend side pauses while the client is not writable");
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        client.runPendingTasks();
        assertTrue(backend.config().isAutoRead(), "and resumes when it drains");
        assertEquals("frame", read(client));
    }

    @Test
    void whenOneSideClosesTheOtherIsClosedAndTheExchangeEndsOnce() {
        open(() -> { });
        backend.writeInbound(bytes("\u0088\u0002\u0003\u00e8")); // a close frame (1000), then the backend hangs up
        backend.close();
        assertEquals("\u0088\u0002\u0003\u00e8", read(client), "the close frame went out before the close");
        assertFalse(client.isActive());
        client.close();
        assertEquals(1, ends.get());
        assertEquals(RequestLog.Outcome.COMPLETED, exchange.log().outcome());
    }

    @Test
    void anIdleTunnelClosesBothSides() {
        client.freezeTime();
        open(() -> { });
        client.writeInbound(bytes("x"));
        read(backend);
        now.addAndGet(900_000_000L);
        client.advanceTimeBy(900, java.util.concurrent.TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertTrue(client.isActive(), "not idle yet");
        now.addAndGet(200_000_000L);
        client.advanceTimeBy(300, java.util.concurrent.TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertFalse(client.isActive());
        assertFalse(backend.isActive());
        assertNull(read(client));
    }

    @Test
    void aBackendGoneBeforeTheTunnelOpensClosesTheClient() {
        backend.close();
        open(() -> { });
        assertFalse(client.isActive());
        assertEquals(1, ends.get());
    }
}
