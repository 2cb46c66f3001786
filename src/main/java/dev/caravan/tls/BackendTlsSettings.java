package dev.caravan.tls;

import java.nio.file.Path;

/**
 * How Caravan connects to {@code https://} backends.
 *
 * @param trust PEM bundle of the CAs backend certificates must chain to, instead of the JDK's default trust store;
 *              null trusts the JDK defaults
 * @param cert  PEM chain of the client certificate presented to backends that ask for one; null presents none
 * @param key   its private key (PKCS#8, PKCS#1 or SEC1, unencrypted); set together with {@code cert}
 */
public record BackendTlsSettings(Path trust, Path cert, Path key) {

    public BackendTlsSettings {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(
                    "caravan.backend.tls.cert and caravan.backend.tls.key must be set together");
        }
    }
}
