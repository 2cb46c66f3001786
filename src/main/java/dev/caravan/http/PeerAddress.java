package dev.caravan.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;

/**
 * The address of whoever opened a client connection: the TCP peer, or, behind a load balancer that speaks the PROXY
 * protocol, the client it announced (see {@code dev.caravan.listen.ProxyProtocolHandler}).
 */
public final class PeerAddress {

    /** Set on a channel when a trusted load balancer announced the real client with the PROXY protocol. */
    public static final AttributeKey<InetSocketAddress> ANNOUNCED = AttributeKey.valueOf("caravan.proxyProtocolSource");

    private PeerAddress() {
    }

    public static InetSocketAddress of(Channel channel) {
        if (channel.parent() != null && !(channel.parent() instanceof io.netty.channel.ServerChannel)) {
            channel = channel.parent(); // an HTTP/2 stream: the connection knows who is at the other end
        }
        InetSocketAddress announced = channel.attr(ANNOUNCED).get();
        return announced != null ? announced : (InetSocketAddress) channel.remoteAddress();
    }
}
