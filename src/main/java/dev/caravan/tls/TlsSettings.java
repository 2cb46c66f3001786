package dev.caravan.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How Caravan terminates TLS: where the certificates are, how often the folder is checked for renewals, when an
 * expiring certificate is worth a warning, and the protocol policy.
 *
 * @param certsDir              folder of PEM pairs ({@code <name>.crt} or {@code <name>.pem} + {@code <name>.key})
 * @param reloadIntervalMillis  ms between checks of the folder
 * @param expiryWarningDays     a certificate expiring within this many days is logged as a warning when loaded
 * @param handshakeTimeoutMillis a client must finish its handshake (ClientHello included) within this many ms
 * @param protocols             enabled protocol versions, preferred first
 * @param ciphers               enabled cipher suites, in the server's order of preference
 * @param clientAuth            whether clients must present a certificate (mTLS)
 * @param clientCa              PEM bundle of the CAs whose client certificates are accepted; null when
 *                              {@code clientAuth} is {@link ClientAuthMode#NONE}
 * @param keystorePassword      opens PKCS#12 files in the folder
 * @param provider              the TLS implementation, for the listener and for {@code https://} backends
 */
public record TlsSettings(
        Path certsDir,
        long reloadIntervalMillis,
        int expiryWarningDays,
        long handshakeTimeoutMillis,
        List<String> protocols,
        List<String> ciphers,
        ClientAuthMode clientAuth,
        Path clientCa,
        String keystorePassword,
        TlsProvider provider) {

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * TLS 1.3's suites (all AEAD), then for TLS 1.2 only ECDHE key exchange (forward secrecy) with AEAD ciphers: no
     * RSA key exchange, no CBC, no SHA-1 MACs. Order as Mozilla's "intermediate" profile: AES-128-GCM first (fast
     * everywhere with AES-NI), ChaCha20 for clients without it.
     */
    public static final List<String> DEFAULT_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    public TlsSettings {
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        if (clientAuth != ClientAuthMode.NONE && clientCa == null) {
            throw new IllegalArgumentException("caravan.tls.clientAuth=" + clientAuth.name().toLowerCase(Locale.ROOT)
                    + " needs caravan.tls.clientCa (a PEM bundle of the client CAs to accept)");
        }
    }

    /** Without client certificates, the policy alone. */
    public TlsSettings(Path certsDir, long reloadIntervalMillis, int expiryWarningDays, long handshakeTimeoutMillis,
                       List<String> protocols, List<String> ciphers) {
        this(certsDir, reloadIntervalMillis, expiryWarningDays, handshakeTimeoutMillis, protocols, ciphers,
                ClientAuthMode.NONE, null, "", TlsProvider.AUTO);
    }
}
