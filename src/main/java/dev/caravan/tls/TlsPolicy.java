package dev.caravan.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Turns a key and its chain into a server {@link SslContext} with Caravan's protocol and cipher policy. */
public final class TlsPolicy {

    private final TlsSettings settings;
    /** The implementation, as {@link TlsProvider#select()} chose it. */
    private final SslProvider provider;
    /** The CAs accepted for client certificates (mTLS); empty when none are asked for. */
    private final List<X509Certificate> clientCas;
    /** The protocols ALPN offers, preferred first. */
    private final List<String> alpn;

    /**
     * Reads the client CA bundle once: a missing or unreadable one stops the start. With {@code offerH2}, ALPN
     * offers {@code h2} first and {@code http/1.1} after it, so clients without HTTP/2 keep working.
     *
     * @param provider {@link SslProvider#JDK} or {@link SslProvider#OPENSSL}
     */
    public TlsPolicy(TlsSettings settings, boolean offerH2, SslProvider provider) {
        this.settings = settings;
        this.provider = provider;
        this.alpn = offerH2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1);
        if (settings.clientAuth() == ClientAuthMode.NONE) {
            this.clientCas = List.of();
        } else {
            try {
                this.clientCas = PemReader.certificates(settings.clientCa(), Files.readAllBytes(settings.clientCa()));
            } catch (IOException | CertificateFileException e) {
                throw new IllegalStateException("Cannot read caravan.tls.clientCa " + settings.clientCa() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    public SslContext serverContext(PrivateKey key, List<X509Certificate> chain) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain);
        if (settings.clientAuth() != ClientAuthMode.NONE) {
            // these CAs only, not the JDK's: a public CA vouching for a name says nothing about who may call us
            builder.trustManager(clientCas)
                    .clientAuth(settings.clientAuth() == ClientAuthMode.REQUIRE ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        SslContext context = builder
                .sslProvider(provider)
                .protocols(settings.protocols())
                // drops suites the provider does not have (e.g. a newer name in the configured list) instead of
                // failing; for OpenSSL Netty turns the IANA names into OpenSSL's. BoringSSL's TLS 1.3 suites cannot be
                // chosen: it always offers its three, all AEAD (the policy's own three)
                .ciphers(settings.ciphers(), SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn))
                .build();
        // OpenSSL contexts prefer the server's order already (Netty sets SSL_OP_CIPHER_SERVER_PREFERENCE); for them
        // a wrapper would only add per-handshake work. Renegotiation: BoringSSL has none on the server side, and
        // Netty's engine also closes a connection whose client starts a second TLS 1.2 handshake
        return provider == SslProvider.JDK ? new ServerCipherOrder(context) : context;
    }

    public SslProvider provider() {
        return provider;
    }

    /**
     * Makes every engine honour the server's cipher order rather than the client's, so the policy's preference (AEAD,
     * strongest first) decides; Netty's builder has no switch for this with the JDK provider.
     */
    private static final class ServerCipherOrder extends DelegatingSslContext {

        ServerCipherOrder(SslContext context) {
            super(context);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setUseCipherSuitesOrder(true);
            engine.setSSLParameters(parameters);
        }
    }

    private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    /**
     * Makes the JDK refuse TLS 1.2 renegotiation that a client starts (each one costs the server a full handshake for
     * the price of a few bytes). The JDK reads this once, at its first server handshake, so it is set before any
     * listener starts; an explicit setting of the property is left alone.
     */
    public static void refuseClientRenegotiation() {
        if (System.getProperty(REJECT_RENEGOTIATION) == null) {
            System.setProperty(REJECT_RENEGOTIATION, "true");
        }
    }

    /**
     * Inside a host application the setting is the host's (it applies to every TLS server of the JVM), so Caravan only
     * says when it is off. Only for the JDK provider: OpenSSL refuses renegotiation whatever the JVM's setting.
     */
    public static void warnIfClientRenegotiationAllowed() {
        if (!Boolean.parseBoolean(System.getProperty(REJECT_RENEGOTIATION))) {
            org.slf4j.LoggerFactory.getLogger(TlsPolicy.class).warn("TLS 1.2 clients may renegotiate on the https "
                    + "listener (each costs a full handshake); start the JVM with -D{}=true to refuse it",
                    REJECT_RENEGOTIATION);
        }
    }
}
