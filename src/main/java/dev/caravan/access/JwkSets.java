package dev.caravan.access;

import com.nimbusds.jose.jwk.JWKSet;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reading a JWK set (RFC 7517), from a file or a fetched document. */
final class JwkSets {

    static final FileFormat<JWKSet> FORMAT = new FileFormat<>() {
        @Override
        public String what() {
            return "JWK set keys";
        }

        @Override
        public JWKSet parse(Path file, byte[] content) throws FileFormatException {
            try {
                return JwkSets.parse(content);
            } catch (java.text.ParseException e) {
                throw new FileFormatException(file, 0, "not a JWK set: " + e.getMessage());
            }
        }
    };

    private JwkSets() {
    }

    static JWKSet parse(byte[] content) throws java.text.ParseException {
        return JWKSet.parse(new String(content, StandardCharsets.UTF_8));
    }
}
