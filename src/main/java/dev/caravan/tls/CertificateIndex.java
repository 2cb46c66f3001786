package dev.caravan.tls;

import io.netty.handler.ssl.SslContext;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable lookup from an SNI host name to the certificate that serves it: exact name, then a {@code *.} wildcard
 * for the name's parent domain (one label, as browsers match), then the default.
 */
final class CertificateIndex {

    private final Map<String, ServedCertificate> exact = new HashMap<>();
    private final Map<String, ServedCertificate> wildcard = new HashMap<>();
    private final ServedCertificate defaultCertificate;
    private final List<ServedCertificate> all;

    /**
     * @param certificates in priority order: when two claim the same name, the first wins
     * @param defaultCertificate served when the client sends no SNI or a name nothing matches
     */
    CertificateIndex(Collection<ServedCertificate> certificates, ServedCertificate defaultCertificate) {
        for (ServedCertificate certificate : certificates) {
            for (String name : certificate.hostnames()) {
                if (name.startsWith("*.")) {
                    wildcard.putIfAbsent(name.substring(2), certificate);
                } else {
                    exact.putIfAbsent(name, certificate);
                }
            }
        }
        this.defaultCertificate = defaultCertificate;
        this.all = List.copyOf(certificates);
    }

    ServedCertificate lookup(String hostname) {
        if (hostname == null || hostname.isEmpty()) {
            return defaultCertificate;
        }
        String host = CertificateNames.normalise(hostname);
        ServedCertificate match = exact.get(host);
        if (match != null) {
            return match;
        }
        int dot = host.indexOf('.');
        if (dot > 0) {
            match = wildcard.get(host.substring(dot + 1));
            if (match != null) {
                return match;
            }
        }
        return defaultCertificate;
    }

    SslContext contextFor(String hostname) {
        return lookup(hostname).context();
    }

    ServedCertificate defaultCertificate() {
        return defaultCertificate;
    }

    List<ServedCertificate> all() {
        return all;
    }
}
