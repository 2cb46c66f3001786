package dev.caravan.listen;

import dev.caravan.h2.H2Connection;
import dev.caravan.h2.H2Server;
import dev.caravan.http.EventLoops;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ReadTime;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A bound port that accepts HTTP/1.1 connections, plain or over TLS, and HTTP/2 ones where the listener takes them
 * ({@link H2Server}: ALPN {@code h2}, or {@code h2c} with prior knowledge). It lives for the whole process, outside any
 * route: routes come and go in its {@link RouteTable}, so a route reload never unbinds the port or drops a connection.
 */
public final class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    private final ListenerConfig config;
    private final EventLoops loops;
    private final RouteTable routes;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Consumer<ProxyExchange>> starters = new CopyOnWriteArrayList<>();
    private final java.util.Map<java.net.InetAddress, java.util.concurrent.atomic.AtomicInteger> perAddress =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    private final List<Consumer<ProxyExchange>> observers = new CopyOnWriteArrayList<>();
    // observe: connections accepted and closed (metrics), and listener-wide per-connection setup (MDC handler)
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong closed = new java.util.concurrent.atomic.AtomicLong();
    private final List<Consumer<Channel>> connectionStarters = new CopyOnWriteArrayList<>();
    private Channel serverChannel;
    /** Null when the listener speaks HTTP/1.1 only. */
    private final H2Server h2;

    public Listener(ListenerConfig config, EventLoops loops) {
        this.config = config;
        this.loops = loops;
        this.routes = new RouteTable(exchange -> exchange.respondError(404));
        ClientLimits limits = config.limits();
        this.h2 = !config.h2() ? null : new H2Server(config.h2Settings(), limits.headerTimeoutMillis(),
                limits.keepAliveTimeoutMillis(), limits.maxRequestsPerConnection(), stream ->
                stream.pipeline().addLast("connection", new ClientConnection(config, routes, null, ReadTime::now,
                        Listener.this::exchangeStarted, true)));
    }

    /** The HTTP/1.1 handlers of a connection, removed when it turns out to speak HTTP/2. */
    private static void removeHttp1(io.netty.channel.ChannelPipeline pipeline) {
        pipeline.remove("connection");
        pipeline.remove("encoder");
        pipeline.remove("decoder");
        pipeline.remove("bytes");
    }

    public void start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // no childOption(TCP_NODELAY): Netty's socket channels turn it on as they are made, and setting it
                // again is a second setsockopt for every accepted connection (ClientLimitsTest checks it is on)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, loops.clientReads())
                .childOption(ChannelOption.ALLOCATOR, loops.allocator())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!admit(ch)) {
                            return;
                        }
                        connections.add(ch);
                        if (config.proxyProtocol()) {
                            // before TLS: the load balancer's header comes first, in clear
                            ch.pipeline().addLast("proxy-protocol", new HAProxyMessageDecoder());
                            ch.pipeline().addLast("proxy-source", new ProxyProtocolHandler(config.forwardedTrust()));
                        }
                        if (config.secure()) {
                            // first, so everything after it sees plain bytes; it picks the certificate by SNI
                            ch.pipeline().addLast("tls", config.tls().newHandler());
                            if (h2 != null) {
                                ch.pipeline().addLast("h2-switch", h2.alpnSwitch(Listener::removeHttp1));
                            }
                        } else if (h2 != null) {
                            ch.pipeline().addLast("h2-switch", h2.priorKnowledgeSwitch(Listener::removeHttp1));
                        }
                        ResponseEncoder encoder = new ResponseEncoder(!config.secure());
                        ClientConnection connection = new ClientConnection(config, routes, encoder, ReadTime::now,
                                Listener.this::exchangeStarted);
                        ch.pipeline().addLast("bytes", new InboundBytes(connection));
                        ch.pipeline().addLast("decoder", newDecoder(config.limits()));
                        ch.pipeline().addLast("encoder", encoder);
                        ch.pipeline().addLast("connection", connection);
                        accepted.incrementAndGet(); // observe
                        ch.closeFuture().addListener(f -> closed.incrementAndGet());
                        connectionStarters.forEach(starter -> starter.accept(ch));
                    }
                });
        serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        LOG.info("Listener '{}' accepting {}{} on {}:{}", config.name(), config.secure() ? "HTTPS" : "HTTP",
                h2 == null ? "" : config.secure() ? " (HTTP/2 by ALPN)" : " (h2c by prior knowledge)", config.host(),
                port());
    }

    /**
     * Calls {@code observer} with every exchange of this listener once it has finished, however it finished (access
     * logs, metrics): its {@link dev.caravan.http.RequestLog} is then complete. Runs on the exchange's event loop.
     */
    public void onExchangeFinished(Consumer<ProxyExchange> observer) {
        observers.add(observer);
    }

    /**
     * Calls {@code starter} with every exchange of this listener as it starts, before any route sees it (and before a
     * malformed request is refused): the place for listener-wide per-request setup such as a request id, which may
     * edit the request head's headers. Runs on the exchange's event loop.
     */
    public void onExchangeStarted(Consumer<ProxyExchange> starter) {
        starters.add(starter);
    }

    private void exchangeStarted(ProxyExchange exchange) {
        for (Consumer<ProxyExchange> starter : starters) {
            starter.accept(exchange);
        }
        for (Consumer<ProxyExchange> observer : observers) {
            exchange.onFinished(observer);
        }
    }

    /** The request decoder every connection gets: strict, with the listener's size limits. */
    static RequestDecoder newDecoder(ClientLimits limits) {
        return new RequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(65536)
                .setStrictLineParsing(true));
    }

    /**
     * Connection limits, at accept: over the listener's maximum, or over the per-address maximum, the new connection
     * is closed before anything is read (and counted).
     */
    private boolean admit(Channel ch) {
        ClientLimits limits = config.limits();
        if (limits.maxConnections() > 0 && connections.size() >= limits.maxConnections()) {
            refused.incrementAndGet();
            ch.close();
            return false;
        }
        if (limits.maxConnectionsPerIp() > 0) {
            java.net.InetAddress peer = ((InetSocketAddress) ch.remoteAddress()).getAddress();
            java.util.concurrent.atomic.AtomicInteger count = perAddress.computeIfAbsent(peer,
                    p -> new java.util.concurrent.atomic.AtomicInteger());
            if (count.incrementAndGet() > limits.maxConnectionsPerIp()) {
                release(peer, count);
                refused.incrementAndGet();
                ch.close();
                return false;
            }
            ch.closeFuture().addListener(f -> release(peer, count));
        }
        return true;
    }

    private void release(java.net.InetAddress peer, java.util.concurrent.atomic.AtomicInteger count) {
        if (count.decrementAndGet() <= 0) {
            perAddress.remove(peer, count);
        }
    }

    /**
     * Calls {@code starter} with every connection this listener admits, once its pipeline is built, on its event loop
     * (observe: a handler that scopes the log MDC to the connection's current request).
     */
    public void onConnection(Consumer<Channel> starter) {
        connectionStarters.add(starter);
    }

    /** Connections admitted since start (observe). */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Admitted connections that have closed since start (observe). */
    public long closedConnections() {
        return closed.get();
    }

    /** Connections open now (observe). */
    public int openConnections() {
        return connections.size();
    }

    /** Connections closed at accept because a connection limit was reached. */
    public long refusedConnections() {
        return refused.get();
    }

    public ListenerConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public RouteTable routes() {
        return routes;
    }

    /** Stops accepting, lets open requests finish for up to {@code graceMillis}, then closes every connection. */
    public void stop(long graceMillis) {
        if (serverChannel == null || !serverChannel.isOpen()) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : connections) {
            ClientConnection connection = ch.pipeline().get(ClientConnection.class);
            if (connection != null) {
                ch.eventLoop().execute(connection::closeWhenIdle);
            }
            H2Connection h2Connection = ch.pipeline().get(H2Connection.class);
            if (h2Connection != null) {
                ch.eventLoop().execute(h2Connection::closeWhenIdle);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.close().syncUninterruptibly();
    }
}
