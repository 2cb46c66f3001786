package dev.caravan.access;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The user and password of an {@code Authorization: Basic ...} header (RFC 7617, UTF-8). */
// public for the admin listener's Basic auth (observe)
public record BasicCredentials(String user, String password) {

    /** The credentials in a header value, or null when it is absent, not Basic, or malformed. */
    public static BasicCredentials parse(Object header) {
        if (!(header instanceof String value)) {
            return null; // absent, or sent twice
        }
        value = value.strip();
        if (value.length() < 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String text;
        try {
            byte[] decoded = Base64.getDecoder().decode(value.substring(6).strip());
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || text.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            return null; // no user, or control characters (they could not go on in a header anyway)
        }
        return new BasicCredentials(text.substring(0, colon), text.substring(colon + 1));
    }
}
