package dev.caravan.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The one set of I/O threads that listeners and backend connections share, on one {@link IoTransport} (io_uring,
 * epoll or NIO). A request is
 * served on its client connection's loop, and its backend connection is taken from the same loop, so no request
 * changes thread on the hot path.
 */
public final class EventLoops implements AutoCloseable {

    /**
     * The most one read from a proxied connection takes (Netty's default is 64 KiB). A 100 KiB body then arrives in
     * one read and leaves in one write, where 64 KiB reads took two of each (bench/README.md, twelfth and thirteenth
     * passes), except for responses on io_uring (see {@link #backendReads()}).
     */
    private static final int MAX_READ_BYTES = 256 * 1024;
    private static final int NETTY_MAX_READ_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final IoTransport transport;
    // reads start small (2 KiB) and grow only on connections that fill them, so small requests and responses do not
    // pay for the larger ceiling
    private final RecvByteBufAllocator clientReads = new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);
    private final RecvByteBufAllocator backendReads;

    /** {@code threads} loops on the best transport available here. */
    public EventLoops(int threads) {
        this(threads, IoTransport.AUTO);
    }

    /**
     * @throws IllegalStateException when {@code transport} names one this machine cannot use
     */
    public EventLoops(int threads, IoTransport transport) {
        this.transport = transport.select();
        this.backendReads = this.transport == IoTransport.IO_URING
                ? new AdaptiveRecvByteBufAllocator(64, 2048, NETTY_MAX_READ_BYTES)
                : clientReads;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("caravan-io", true),
                this.transport.ioHandlerFactory());
    }

    public EventLoopGroup group() {
        return group;
    }

    /** The transport in use, never {@link IoTransport#AUTO}. */
    public IoTransport transport() {
        return transport;
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return transport.serverChannelType();
    }

    public Class<? extends Channel> channelType() {
        return transport.channelType();
    }

    /**
     * The buffers proxied connections read into and write from: Netty 4.1's pooled arenas. Netty 4.2's default
     * (adaptive) allocator hands a read larger than its chunks, such as the 256 KiB ones below, a new zeroed direct
     * buffer each time: on io_uring 100 KiB responses then cost 87.5 µs a request, and 55.8 with this one
     * (bench/README.md, fourteenth pass).
     */
    public ByteBufAllocator allocator() {
        return PooledByteBufAllocator.DEFAULT;
    }

    /** How much the listeners' client connections read at a time: 2 to 256 KiB. */
    public RecvByteBufAllocator clientReads() {
        return clientReads;
    }

    /**
     * How much HTTP/1.1 backend connections read at a time: 2 to 256 KiB on epoll and NIO, to 64 KiB on io_uring. On
     * io_uring the larger reads cost more: the response then goes to the client in one large write, and 100 KiB
     * responses took 1.3 to 1.5 times the CPU of 64 KiB reads, 1 MiB ones 1.2 times (on epoll 64 KiB took 1.2 times
     * that of 256 KiB; bench/README.md, sixteenth pass).
     */
    public RecvByteBufAllocator backendReads() {
        return backendReads;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
