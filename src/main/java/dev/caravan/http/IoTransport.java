package dev.caravan.http;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.Locale;

/**
 * How Caravan's sockets talk to the kernel ({@code caravan.io.transport}). {@link #AUTO} takes io_uring where the
 * kernel and its sandbox allow it (Docker's default seccomp profile does not), then epoll, then the JDK's NIO.
 * io_uring spends about a third less CPU than epoll on small proxied requests and on new connections
 * (bench/README.md, fourteenth pass).
 */
public enum IoTransport {
    AUTO,
    IO_URING,
    EPOLL,
    NIO;

    public static IoTransport parse(String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "caravan.io.transport must be auto, io_uring, epoll or nio, was '" + value + "'", e);
        }
    }

    /**
     * The transport this setting stands for on this machine: {@link #AUTO} resolved to the first one available, and
     * never {@link #AUTO} itself.
     *
     * @throws IllegalStateException when the transport asked for by name cannot be used here, saying why
     */
    public IoTransport select() {
        return switch (this) {
            case AUTO -> IoUring.isAvailable() ? IO_URING : Epoll.isAvailable() ? EPOLL : NIO;
            case IO_URING -> require(IoUring.isAvailable(), IoUring.unavailabilityCause());
            case EPOLL -> require(Epoll.isAvailable(), Epoll.unavailabilityCause());
            case NIO -> NIO;
        };
    }

    private IoTransport require(boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException("caravan.io.transport=" + label() + ", but it cannot be used here: "
                    + cause + " (set caravan.io.transport=auto to take the best one available)", cause);
        }
        return this;
    }

    /** The name used in settings and logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
            case AUTO -> throw new IllegalStateException("select() the transport first");
        };
    }

    Class<? extends ServerChannel> serverChannelType() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
            case AUTO -> throw new IllegalStateException("select() the transport first");
        };
    }

    Class<? extends Channel> channelType() {
        return switch (this) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
            case AUTO -> throw new IllegalStateException("select() the transport first");
        };
    }
}
