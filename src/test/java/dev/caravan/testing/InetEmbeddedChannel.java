package dev.caravan.testing;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * An {@link EmbeddedChannel} with loopback socket addresses, for state-machine tests of handlers that read the
 * peer's address: everything runs on the calling thread, in milliseconds, without sockets.
 */
public final class InetEmbeddedChannel extends EmbeddedChannel {

    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8080);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 50000);

    public InetEmbeddedChannel(ChannelHandler... handlers) {
        super(handlers);
    }

    @Override
    protected SocketAddress localAddress0() {
        return LOCAL;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return REMOTE;
    }
}
