package dev.caravan.forward;

import dev.caravan.http.EventLoops;
import dev.caravan.http.ReadTime;
import dev.caravan.tls.BackendTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one backend origin. Idle connections are kept per event loop, so a request reuses a
 * connection that lives on its own thread: no locks and no thread hand-off. The pool outlives routes, so a reload
 * keeps warm connections.
 */
public final class BackendPool implements ConnectionSource {

    private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(32768)
            .setMaxChunkSize(65536);

    private static final long CLOSE_WAIT_MILLIS = 2000;

    private final String host;
    private final int port;
    private final EventLoops loops;
    /** Null for a plain-HTTP origin. */
    private final BackendTls tls;
    private final int loopCount;
    private final PoolSettings settings;
    private final Map<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();
    /**
     * Every connection open or being opened, in use or idle: closed, and waited for, before the I/O threads stop
     * (a close still in progress when they stop may never reach the backend). Also the pool metrics' open count.
     */
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    // observe: connections kept idle, for pool metrics (active = open - idle)
    private final java.util.concurrent.atomic.AtomicInteger idleCount = new java.util.concurrent.atomic.AtomicInteger();
    private final String origin;

    BackendPool(BackendTarget origin, EventLoops loops, PoolSettings settings, BackendTls tls) {
        this.origin = origin.origin();
        this.host = origin.host();
        this.port = origin.port();
        this.loops = loops;
        this.tls = tls;
        int count = 0;
        for (var ignored : loops.group()) {
            count++;
        }
        this.loopCount = Math.max(1, count);
        this.settings = settings;
    }

    PoolSettings settings() {
        return settings;
    }

    @Override
    public void acquire(EventLoop loop, boolean allowReuse, Acquirer acquirer) {
        if (allowReuse) {
            ArrayDeque<Channel> kept = idle.get(loop);
            if (kept != null) {
                long now = ReadTime.now();
                Channel channel;
                while ((channel = kept.pollLast()) != null) {
                    idleCount.decrementAndGet(); // observe
                    BackendConnection connection = BackendConnection.of(channel);
                    if (channel.isActive() && !connection.idleExpired(now)) {
                        acquirer.acquired(channel, true);
                        return;
                    }
                    channel.close();
                }
            }
        }
        connect(loop, acquirer);
    }

    private void connect(EventLoop loop, Acquirer acquirer) {
        PoolSettings current = settings;
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(loops.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, current.connectTimeoutMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .option(ChannelOption.RCVBUF_ALLOCATOR, loops.backendReads())
                .option(ChannelOption.ALLOCATOR, loops.allocator())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.add(ch);
                        if (tls != null) {
                            // the handshake shares the connect timeout: both are "getting a usable connection"
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port,
                                    current.connectTimeoutMillis()));
                        }
                        ch.pipeline().addLast("decoder", new BackendResponseDecoder(DECODER));
                        ch.pipeline().addLast("encoder", new RequestEncoder());
                        ch.pipeline().addLast("connection", new BackendConnection(BackendPool.this));
                    }
                });
        ChannelFuture future = bootstrap.connect(InetSocketAddress.createUnresolved(host, port));
        future.addListener(f -> {
            if (!f.isSuccess()) {
                acquirer.failed(f.cause());
            } else if (tls == null) {
                acquirer.acquired(future.channel(), false);
            } else {
                // the connection is handed out only once the backend proved its identity, so a refused certificate
                // counts as a failure to connect (nothing was sent: failover may try another backend)
                future.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        acquirer.acquired(future.channel(), false);
                    } else {
                        future.channel().close();
                        acquirer.failed(h.cause());
                    }
                });
            }
        });
    }

    /** Returns a connection whose exchange completed cleanly; it is kept if there is room, else closed. */
    @Override
    public void release(Channel channel, long idleTimeoutNanos) {
        if (!channel.isActive()) {
            return;
        }
        EventLoop loop = channel.eventLoop();
        ArrayDeque<Channel> kept = idle.computeIfAbsent(loop, l -> {
            scheduleSweep(l);
            return new ArrayDeque<>();
        });
        int perLoop = Math.max(1, settings.maxIdle() / loopCount);
        if (kept.size() >= perLoop) {
            channel.close();
            return;
        }
        BackendConnection.of(channel).markIdle(ReadTime.now(), idleTimeoutNanos);
        kept.addLast(channel);
        idleCount.incrementAndGet(); // observe
    }

    @Override
    public long idleTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMillis());
    }

    /** A kept connection closed (the backend hung up); forget it. Runs on the channel's loop. */
    @Override
    public void forget(Channel channel) {
        ArrayDeque<Channel> kept = idle.get(channel.eventLoop());
        if (kept != null && kept.remove(channel)) {
            idleCount.decrementAndGet(); // observe
        }
    }

    private void scheduleSweep(EventLoop loop) {
        loop.scheduleAtFixedRate(() -> sweep(loop), 1, 1, TimeUnit.SECONDS);
    }

    private void sweep(EventLoop loop) {
        ArrayDeque<Channel> kept = idle.get(loop);
        if (kept == null || kept.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        kept.removeIf(channel -> {
            if (!channel.isActive() || BackendConnection.of(channel).idleExpired(now)) {
                idleCount.decrementAndGet(); // observe
                channel.close();
                return true;
            }
            return false;
        });
    }

    /** The origin ({@code http://host:port}) this pool connects to (observe). */
    public String origin() {
        return origin;
    }

    /** Connections open or being opened to the backend, in use or idle (observe). */
    public int openConnections() {
        return open.size();
    }

    /** Connections kept idle for reuse (observe). */
    public int idleConnections() {
        return Math.max(0, idleCount.get());
    }

    /**
     * Closes every connection, idle or in use (shutdown), and waits, up to a bound, until they are closed: a close
     * still under way when the I/O threads stop may never reach the backend (on io_uring a connection with a receive
     * armed closes only once the receive is cancelled; bench/README.md, seventeenth pass).
     */
    void close() {
        idle.forEach((loop, kept) -> loop.execute(() -> {
            idleCount.addAndGet(-kept.size()); // observe
            kept.clear();
        }));
        open.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    }
}
