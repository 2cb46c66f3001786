package dev.caravan.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The subject of the certificate a client presented on a TLS connection (mTLS), for the request log and the identity
 * headers. It is read once per connection: every HTTP/2 stream of the connection shares the answer.
 */
public final class ClientCertificateSubject {

    private static final AttributeKey<Optional<String>> SUBJECT =
            AttributeKey.valueOf(ClientCertificateSubject.class, "subject");

    private ClientCertificateSubject() {
    }

    /** The subject of {@code connection}'s client certificate, or null (no TLS, or no certificate). */
    public static String of(Channel connection) {
        Attribute<Optional<String>> known = connection.attr(SUBJECT);
        Optional<String> subject = known.get();
        if (subject == null) {
            SslHandler tls = connection.pipeline().get(SslHandler.class);
            subject = Optional.ofNullable(tls == null ? null : of(tls.engine()));
            known.set(subject);
        }
        return subject.orElse(null);
    }

    /**
     * The leaf certificate's subject DN, or null when the client presented none. An engine that never asked for a
     * certificate ({@code caravan.tls.clientAuth=none}) is not asked for one: both JSSE and netty-tcnative answer by
     * throwing, and that stack trace, taken for every HTTP/2 stream, was 8% of Caravan's CPU under h2 load.
     */
    public static String of(SSLEngine engine) {
        if (!engine.getNeedClientAuth() && !engine.getWantClientAuth()) {
            return null;
        }
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                    ? leaf.getSubjectX500Principal().getName() : null;
        } catch (SSLPeerUnverifiedException e) {
            return null; // optional, and the client sent none
        }
    }
}
