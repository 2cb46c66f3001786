package dev.caravan.tls;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** The host names a certificate serves: its DNS subject alternative names, or its CN when it has none. */
final class CertificateNames {

    private static final int DNS_NAME = 2;

    private CertificateNames() {
    }

    static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (((Integer) alternative.get(0)) == DNS_NAME) {
                        names.add(normalise((String) alternative.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unparsable extension: fall back to the CN like a certificate without SANs
        }
        if (names.isEmpty()) {
            String cn = commonName(certificate);
            if (cn != null) {
                names.add(normalise(cn));
            }
        }
        return List.copyOf(names);
    }

    /** Lower case, without a trailing dot, as SNI host names are compared. */
    static String normalise(String host) {
        String lower = host.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
