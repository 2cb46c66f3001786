package dev.caravan.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

/**
 * What the {@link io.netty.handler.ssl.SniHandler} of every new connection asks for its certificate. The index behind
 * it is replaced whole on a renewal, so a handshake sees either the old set or the new one, never a mix; connections
 * already established keep the context they were built with.
 */
public final class SniCertificates implements Mapping<String, SslContext> {

    private volatile CertificateIndex index;

    SniCertificates(CertificateIndex index) {
        this.index = index;
    }

    @Override
    public SslContext map(String hostname) {
        return index.contextFor(hostname);
    }

    /** The certificate a client sending this SNI name (null: none) gets now. */
    public ServedCertificate lookup(String hostname) {
        return index.lookup(hostname);
    }

    void publish(CertificateIndex next) {
        index = next;
    }
}
