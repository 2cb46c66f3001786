package dev.caravan.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/** What a listener puts first in each new connection's pipeline to terminate TLS with the current certificates. */
public final class TlsTermination {

    private final SniCertificates certificates;
    private final long handshakeTimeoutMillis;

    public TlsTermination(SniCertificates certificates, long handshakeTimeoutMillis) {
        this.certificates = certificates;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /**
     * A handler that reads the ClientHello, picks the certificate by SNI and replaces itself with an SslHandler. The
     * timeout also covers the wait for the ClientHello, so a client that connects and sends nothing is dropped.
     */
    public ChannelHandler newHandler() {
        return new SniHandler(certificates, handshakeTimeoutMillis) {
            @Override
            protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
                // the rest of the handshake gets the same limit, not SslHandler's own default
                SslHandler handler = super.newSslHandler(context, allocator);
                handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
                return handler;
            }
        };
    }

    public SniCertificates certificates() {
        return certificates;
    }
}
