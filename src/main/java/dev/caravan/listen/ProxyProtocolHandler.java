package dev.caravan.listen;

import dev.caravan.access.CidrMatcher;
import dev.caravan.access.ForwardedTrust;
import dev.caravan.http.PeerAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * Takes the PROXY protocol header (v1 or v2, decoded by Netty's {@code HAProxyMessageDecoder}) that a load balancer
 * sends first on each connection, and makes its source the connection's client address for everything after (trust
 * decisions, {@code X-Forwarded-For}, limits, logs). Only a trusted proxy may say who the client is: from anyone else
 * the connection is closed.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    private final ForwardedTrust trust;

    ProxyProtocolHandler(ForwardedTrust trust) {
        this.trust = trust;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
            if (!trust.isTrustedProxy(peer.getAddress())) {
                LOG.debug("PROXY header from {}, not a trusted proxy: closing", peer);
                ctx.close();
                return;
            }
            // LOCAL (a health check of the balancer itself) says nothing about a client
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                java.net.InetAddress source = CidrMatcher.literal(header.sourceAddress());
                if (source == null) {
                    ctx.close(); // a unix socket or garbage: no client address to believe
                    return;
                }
                ctx.channel().attr(PeerAddress.ANNOUNCED).set(new InetSocketAddress(source, header.sourcePort()));
            }
            ctx.pipeline().remove(this);
        } finally {
            ReferenceCountUtil.release(header);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Invalid PROXY protocol header; closing", cause);
        ctx.close();
    }
}
