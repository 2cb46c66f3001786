package dev.caravan.websocket;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An upgraded connection: after the backend's 101 the client and backend connections are spliced, byte for byte, in
 * both directions. WebSocket frames (data, ping, pong, close with its code and reason) pass exactly as sent, so
 * nothing is re-framed and no extension is second-guessed. A side stops reading while the other side's connection is
 * not writable (backpressure, as for bodies); when either side closes, what is pending goes out and the other side
 * is closed; without a byte either way for the idle timeout, both close. Both connections live on the same event
 * loop, so the tunnel needs no locks.
 *
 * <p>The exchange that opened it stays open until the tunnel ends (its {@link RequestLog} then has status 101, the
 * bytes each way and the whole duration), but it leaves its route at once: a route reload neither waits for nor
 * cuts an open tunnel, which keeps the backend that route chose.
 */
public final class Tunnel {

    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);

    private final ProxyExchange exchange;
    private final Channel client;
    private final UpgradedBackend backend;
    private final long idleTimeoutNanos;
    private final LongSupplier clock;
    private final TunnelRelay fromClient;
    private final TunnelRelay fromBackend;
    private long lastActivity;
    private boolean ended;
    private ScheduledFuture<?> idleCheck;

    private Tunnel(ProxyExchange exchange, Channel client, UpgradedBackend backend, LongSupplier clock) {
        this.exchange = exchange;
        this.client = client;
        this.backend = backend;
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(backend.idleTimeoutMillis());
        this.clock = clock;
        this.fromClient = new TunnelRelay(this, backend.channel(), exchange::countBytesIn);
        this.fromBackend = new TunnelRelay(this, client, exchange::countBytesOut);
        this.lastActivity = clock.getAsLong();
    }

    /**
     * Splices {@code client} (whose 101 has been written) and the backend. {@code removeClientHttp} takes the HTTP
     * handlers out of the client's pipeline; bytes either side already read past the handshake are relayed first.
     * Runs on the exchange's event loop, which is also the backend connection's.
     */
    public static void open(ProxyExchange exchange, Channel client, UpgradedBackend backend, Runnable removeClientHttp) {
        open(exchange, client, backend, removeClientHttp, System::nanoTime);
    }

    static Tunnel open(ProxyExchange exchange, Channel client, UpgradedBackend backend, Runnable removeClientHttp,
                       LongSupplier clock) {
        Tunnel tunnel = new Tunnel(exchange, client, backend, clock);
        if (!backend.take() || !backend.channel().isActive() || !client.isActive()) {
            LOG.debug("WebSocket tunnel for {} not opened: a side is gone", exchange.rawTarget());
            client.close();
            backend.channel().close();
            tunnel.end();
            return tunnel;
        }
        exchange.upgraded();
        client.pipeline().addLast("tunnel", tunnel.fromClient);
        backend.channel().pipeline().addLast("tunnel", tunnel.fromBackend);
        removeClientHttp.run();
        backend.removeHttp();
        tunnel.fromClient.start();
        tunnel.fromBackend.start();
        client.config().setAutoRead(true);
        backend.channel().config().setAutoRead(true);
        tunnel.scheduleIdleCheck();
        return tunnel;
    }

    void activity() {
        lastActivity = clock.getAsLong();
    }

    /** One side closed (or failed): flush what is pending to the other and close it; the exchange ends. */
    void sideClosed(Channel side) {
        Channel other = side == client ? backend.channel() : client;
        if (other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        end();
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        backend.ended();
        exchange.finished(RequestLog.Outcome.COMPLETED);
    }

    private void scheduleIdleCheck() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), idleTimeoutNanos / 4);
        idleCheck = client.eventLoop().schedule(this::checkIdle, period, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (ended) {
            return;
        }
        if (clock.getAsLong() - lastActivity >= idleTimeoutNanos) {
            LOG.debug("WebSocket tunnel for {} idle; closing both sides", exchange.rawTarget());
            client.close();
            backend.channel().close();
            return;
        }
        scheduleIdleCheck();
    }

    /** For tests: bytes relayed so far, client to backend and back. */
    long[] relayed() {
        return new long[] {fromClient.bytes(), fromBackend.bytes()};
    }

    static void release(Object msg) {
        if (msg instanceof ByteBuf buf) {
            buf.release();
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }
}
