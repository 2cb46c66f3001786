package dev.caravan.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The client side of TLS to {@code https://} backends: one context for the process (built at start-up, so a missing
 * or broken CA bundle or client certificate stops the start), and a handler per connection that verifies the
 * backend's certificate chain and that it names the host Caravan connected to.
 */
public final class BackendTls {

    private final SslContext context;
    /** The same, offering only {@code h2} by ALPN (HTTP/2 backends). */
    private final SslContext h2Context;

    /** @param provider {@link SslProvider#JDK} or {@link SslProvider#OPENSSL}, as for the https listener */
    public BackendTls(BackendTlsSettings settings, SslProvider provider) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .protocols(TlsSettings.DEFAULT_PROTOCOLS);
            if (settings.trust() != null) {
                // replaces the JDK's CAs: a private CA bundle then pins backends to that CA alone
                List<X509Certificate> cas = PemReader.certificates(settings.trust(), read(settings.trust()));
                builder.trustManager(cas);
            }
            if (settings.cert() != null) {
                List<X509Certificate> chain = PemReader.certificates(settings.cert(), read(settings.cert()));
                PrivateKey key = PemReader.privateKey(settings.key(), read(settings.key()));
                builder.keyManager(key, chain);
            }
            context = builder.build();
            h2Context = builder.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                    io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                    io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2)).build();
        } catch (CertificateFileException | SSLException e) {
            throw new IllegalStateException("Cannot set up TLS to backends: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) throws CertificateFileException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CertificateFileException(file, "cannot be read (" + e + ")", e);
        }
    }

    /**
     * A handler for a new connection to {@code host:port}: SNI names the host, and the certificate must match it
     * (the JDK's HTTPS rules: DNS names, IP addresses as IP SANs). The handshake must finish within
     * {@code handshakeTimeoutMillis}.
     */
    public SslHandler newHandler(ByteBufAllocator allocator, String host, int port, long handshakeTimeoutMillis) {
        return configure(context.newHandler(allocator, host, port), host, handshakeTimeoutMillis);
    }

    /** The same for an HTTP/2 backend: ALPN offers {@code h2} (the caller checks the backend chose it). */
    public SslHandler newH2Handler(ByteBufAllocator allocator, String host, int port, long handshakeTimeoutMillis) {
        return configure(h2Context.newHandler(allocator, host, port), host, handshakeTimeoutMillis);
    }

    private static SslHandler configure(SslHandler handler, String host, long handshakeTimeoutMillis) {
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpAddress(host)) {
            // the JDK leaves SNI out for dotless names such as "localhost"; a backend serving several names needs it
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        engine.setSSLParameters(parameters);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    /**
     * A failure to connect as a log line says it. OpenSSL reports a refused backend certificate as "General
     * OpenSslEngine problem"; the reason (unknown CA, wrong name, expired) is the root cause, so it is added.
     */
    public static String describeFailure(Throwable cause) {
        String text = cause.toString();
        if (cause instanceof SSLException) {
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root != cause && root.getMessage() != null && !text.contains(root.getMessage())) {
                text += " (" + root.getMessage() + ")";
            }
        }
        return text;
    }

    private static boolean isIpAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
