package dev.caravan.tls;

import java.util.Locale;

/** {@code caravan.tls.clientAuth}: whether the {@code https} listener asks clients for a certificate. */
public enum ClientAuthMode {
    /** No certificate is asked for. */
    NONE,
    /** Asked for; a client without one is served, one with a certificate no accepted CA signed is refused. */
    OPTIONAL,
    /** A certificate from an accepted CA is required to complete the handshake. */
    REQUIRE;

    public static ClientAuthMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "caravan.tls.clientAuth must be none, optional or require, was '" + value + "'", e);
        }
    }
}
