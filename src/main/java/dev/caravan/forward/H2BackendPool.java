package dev.caravan.forward;

import dev.caravan.h2.PerRequestHeaders;
import dev.caravan.http.EventLoops;
import dev.caravan.tls.BackendTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 connections to one backend origin ({@code protocol=h2c}: prior knowledge in clear; {@code h2}: TLS with ALPN
 * {@code h2}). A request gets a stream, not a connection: each event loop keeps its own connections to the origin
 * and opens streams on them while the backend's concurrent-stream limit allows, so gRPC calls multiplex as the client
 * intended. A stream's channel looks like an HTTP/1.1 connection to the {@link ForwardCall} (Netty's stream codec,
 * then the usual {@link BackendConnection}); its writability is the stream's flow-control window, and not reading it
 * withholds the backend's window, so bodies stream with backpressure both ways. Idle connections close after
 * {@code poolIdleTimeout}; one that received GOAWAY takes no new streams.
 */
final class H2BackendPool implements ConnectionSource {

    /** The receive window of a whole connection: one stalled stream must not stall the others. */
    private static final int CONNECTION_WINDOW = 16 << 20;

    private final String host;
    private final int port;
    private final EventLoops loops;
    /** Null for h2c. */
    private final BackendTls tls;
    private final PoolSettings settings;
    private final Map<EventLoop, ArrayDeque<Channel>> connections = new ConcurrentHashMap<>();
    private final Map<EventLoop, List<Acquirer>> waiting = new ConcurrentHashMap<>();
    private final Map<Channel, Long> idleSince = new ConcurrentHashMap<>();

    H2BackendPool(BackendTarget origin, EventLoops loops, PoolSettings settings, BackendTls tls) {
        this.host = origin.host();
        this.port = origin.port();
        this.loops = loops;
        this.settings = settings;
        this.tls = tls;
    }

    @Override
    public void acquire(EventLoop loop, boolean allowReuse, Acquirer acquirer) {
        ArrayDeque<Channel> open = connections.computeIfAbsent(loop, l -> {
            l.scheduleAtFixedRate(() -> sweep(l), 1, 1, TimeUnit.SECONDS);
            return new ArrayDeque<>();
        });
        for (Channel connection : open) {
            if (usable(connection)) {
                openStream(connection, acquirer, true);
                return;
            }
        }
        List<Acquirer> queue = waiting.get(loop);
        if (queue != null) {
            queue.add(acquirer); // a connection is being made on this loop: its first streams are for these
            return;
        }
        List<Acquirer> first = new ArrayList<>(4);
        first.add(acquirer);
        waiting.put(loop, first);
        connect(loop);
    }

    private static boolean usable(Channel connection) {
        Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
        return connection.isActive() && codec != null && !codec.connection().goAwayReceived()
                && codec.connection().local().canOpenStream();
    }

    private void openStream(Channel connection, Acquirer acquirer, boolean reused) {
        idleSince.remove(connection);
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast("h2", new Http2StreamFrameToHttpObjectCodec(false));
                stream.pipeline().addLast("h2-adapter", new H2BackendStreamAdapter());
                stream.pipeline().addLast("connection", new BackendConnection(H2BackendPool.this));
            }
        }).open().addListener(f -> {
            if (f.isSuccess()) {
                acquirer.acquired((Channel) f.getNow(), reused);
            } else {
                acquirer.failed(f.cause());
            }
        });
    }

    private void connect(EventLoop loop) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(loops.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, loops.allocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeoutMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newH2Handler(ch.alloc(), host, port,
                                    settings.connectTimeoutMillis()));
                        }
                        ch.pipeline().addLast("h2-codec", Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                                .headerSensitivityDetector(PerRequestHeaders.COMMON)
                                .build());
                        // a backend cannot open streams toward Caravan (push is off); anything it tries is refused
                        ch.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                });
        ChannelFuture future = bootstrap.connect(InetSocketAddress.createUnresolved(host, port));
        future.addListener(f -> {
            if (!f.isSuccess()) {
                failWaiting(loop, f.cause());
                return;
            }
            Channel connection = future.channel();
            if (tls == null) {
                // after channelActive, which this listener runs before: the preface must be the first bytes out
                loop.execute(() -> ready(loop, connection));
                return;
            }
            connection.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    connection.close();
                    failWaiting(loop, h.cause());
                } else if (!ApplicationProtocolNames.HTTP_2.equals(
                        connection.pipeline().get(SslHandler.class).applicationProtocol())) {
                    connection.close();
                    failWaiting(loop, new java.io.IOException("Backend " + host + ":" + port
                            + " did not agree to HTTP/2 (ALPN)"));
                } else {
                    ready(loop, connection);
                }
            });
        });
    }

    private void ready(EventLoop loop, Channel connection) {
        Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
        try {
            codec.connection().local().flowController().incrementWindowSize(codec.connection().connectionStream(),
                    CONNECTION_WINDOW);
        } catch (io.netty.handler.codec.http2.Http2Exception e) {
            connection.close();
            failWaiting(loop, e);
            return;
        }
        ArrayDeque<Channel> open = connections.get(loop);
        open.add(connection);
        connection.closeFuture().addListener(f -> {
            open.remove(connection);
            idleSince.remove(connection);
        });
        List<Acquirer> queue = waiting.remove(loop);
        for (Acquirer acquirer : queue) {
            openStream(connection, acquirer, false);
        }
    }

    private void failWaiting(EventLoop loop, Throwable cause) {
        List<Acquirer> queue = waiting.remove(loop);
        if (queue != null) {
            queue.forEach(acquirer -> acquirer.failed(cause));
        }
    }

    /** A stream whose exchange completed: streams are not reused, so it is closed (it has ended already). */
    @Override
    public void release(Channel stream, long idleTimeoutNanos) {
        stream.close();
    }

    @Override
    public void forget(Channel stream) {
    }

    @Override
    public long idleTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMillis());
    }

    /** Closes connections that had no open stream for the idle timeout. */
    private void sweep(EventLoop loop) {
        ArrayDeque<Channel> open = connections.get(loop);
        if (open == null) {
            return;
        }
        long now = System.nanoTime();
        for (Channel connection : List.copyOf(open)) {
            Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
            if (codec == null || codec.connection().numActiveStreams() > 0) {
                idleSince.remove(connection);
                continue;
            }
            long since = idleSince.computeIfAbsent(connection, c -> now);
            if (now - since >= idleTimeoutNanos()) {
                connection.close();
            }
        }
    }

    void close() {
        connections.forEach((loop, open) -> loop.execute(() -> List.copyOf(open).forEach(Channel::close)));
    }
}
