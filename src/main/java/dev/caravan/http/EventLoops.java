package dev.caravan.http;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The one set of I/O threads that listeners and backend connections share (epoll where available). A request is
 * served on its client connection's loop, and its backend connection is taken from the same loop, so no request
 * changes thread on the hot path.
 */
public final class EventLoops implements AutoCloseable {

    /**
     * The most one read from a proxied connection takes, a client or an HTTP/1.1 backend (Netty's default is 64 KiB).
     * A 100 KiB body then arrives in one read and leaves in one write, where 64 KiB reads took two of each
     * (bench/README.md, twelfth and thirteenth passes).
     */
    private static final int MAX_READ_BYTES = 256 * 1024;

    private final EventLoopGroup group;
    private final boolean epoll;
    // reads start small (2 KiB) and grow only on connections that fill them, so small requests and responses do not
    // pay for the larger ceiling
    private final RecvByteBufAllocator proxyReads = new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);

    public EventLoops(int threads) {
        this.epoll = Epoll.isAvailable();
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("caravan-io", true);
        this.group = epoll ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends Channel> channelType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** How much proxied connections (listeners' clients, HTTP/1.1 backends) read at a time: 2 to 256 KiB. */
    public RecvByteBufAllocator proxyReads() {
        return proxyReads;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
