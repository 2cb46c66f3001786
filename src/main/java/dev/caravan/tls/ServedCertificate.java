package dev.caravan.tls;

import io.netty.handler.ssl.SslContext;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate ready to serve.
 *
 * @param name        the pair's base name in the folder ({@code default} for the default one)
 * @param source      where it came from, for log lines
 * @param fingerprint the content hash of its files, to tell whether they changed since
 * @param hostnames   the names it serves (exact, or {@code *.} wildcards)
 * @param leaf        the server certificate itself
 * @param context     the TLS context built from it with the policy
 */
public record ServedCertificate(String name, String source, String fingerprint, List<String> hostnames,
                                X509Certificate leaf, SslContext context) {

    public ServedCertificate {
        hostnames = List.copyOf(hostnames);
    }

    /** How this certificate is described in log lines: names, serial, expiry. */
    public String describe() {
        return hostnames + " serial " + leaf.getSerialNumber().toString(16) + ", valid until "
                + leaf.getNotAfter().toInstant() + " (" + source + ")";
    }
}
