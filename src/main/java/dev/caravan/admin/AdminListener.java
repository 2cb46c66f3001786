package dev.caravan.admin;

import dev.caravan.http.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

/**
 * The admin listener ({@code caravan.admin.host}:{@code caravan.admin.port}, 127.0.0.1:9901 by default): metrics,
 * health, the live configuration and a status page, on the gateway's own event loops with Netty's HTTP codec (no
 * second web server). Requests are small GETs; each answer is computed on the admin thread, so a scrape never holds up
 * an event loop. It is not a route: route reloads do not touch it, and it stays up while the listeners drain on
 * shutdown, so readiness can answer 503.
 */
public final class AdminListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminListener.class);

    private final AdminSettings settings;
    private final EventLoops loops;
    private final AdminData data;
    private final ExecutorService worker;
    private final AdminAccess access;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    /** @param worker the thread that computes answers (never an event loop) */
    public AdminListener(AdminSettings settings, EventLoops loops, AdminData data, ExecutorService worker) {
        this.settings = settings;
        this.loops = loops;
        this.data = data;
        this.worker = worker;
        this.access = new AdminAccess(settings);
    }

    public void start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!access.mayConnect(((InetSocketAddress) ch.remoteAddress()).getAddress())) {
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        ch.pipeline().addLast(new ReadTimeoutHandler(30));
                        ch.pipeline().addLast(new HttpServerCodec(4096, 16384, 8192));
                        ch.pipeline().addLast(new HttpObjectAggregator(16384));
                        ch.pipeline().addLast(new AdminHandler(data, access, worker, settings.refreshSeconds()));
                    }
                });
        try {
            serverChannel = bootstrap.bind(settings.host(), settings.port()).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException("Admin listener cannot bind " + settings.host() + ":" + settings.port()
                    + ": " + (String.valueOf(e.getMessage()).toLowerCase().contains("address already in use")
                    ? "address in use" : e.toString()), e);
        }
        LOG.info("Admin listener on http://{}:{}/ (metrics, health, status){}", settings.host(), port(),
                access.needsCredentials() ? ", Basic auth" : "");
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        connections.close().syncUninterruptibly();
    }
}
