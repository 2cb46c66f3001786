package dev.caravan.forward;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Builds the request target sent to the backend from the one the client sent: optionally drops a path prefix, puts
 * the backend's base path in front, and otherwise keeps every byte (no decoding, so {@code %2F}, {@code +},
 * {@code ;} and empty queries survive).
 */
public final class TargetRewrite {

    private final String stripPrefix;

    public TargetRewrite(String stripPrefix) {
        String prefix = stripPrefix == null ? "" : stripPrefix.trim();
        this.stripPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    public String apply(String rawTarget, String basePath) {
        if (rawTarget.equals("*")) {
            return rawTarget;
        }
        if (stripPrefix.isEmpty() && basePath.isEmpty() && !rawTarget.isEmpty() && rawTarget.charAt(0) == '/') {
            return forEncoder(rawTarget); // the usual route: the target goes as it came, no copy
        }
        int q = rawTarget.indexOf('?');
        String path = q < 0 ? rawTarget : rawTarget.substring(0, q);
        String rest = q < 0 ? "" : rawTarget.substring(q);
        if (!stripPrefix.isEmpty() && path.startsWith(stripPrefix)
                && (path.length() == stripPrefix.length() || path.charAt(stripPrefix.length()) == '/')) {
            path = path.substring(stripPrefix.length());
        }
        if (path.isEmpty()) {
            path = "/";
        }
        return forEncoder(basePath + path + rest);
    }

    /**
     * Netty's decoder reads the request line as ISO-8859-1 (one char per byte) but its encoder writes the target as
     * UTF-8. To send the client's bytes unchanged, turn the chars back into bytes and decode them as UTF-8; bytes that
     * are not valid UTF-8 (never valid in a target anyway) are sent percent-encoded.
     */
    static String forEncoder(String latin1) {
        boolean ascii = true;
        for (int i = 0; i < latin1.length() && ascii; i++) {
            ascii = latin1.charAt(i) < 0x80;
        }
        if (ascii) {
            return latin1;
        }
        byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder escaped = new StringBuilder(bytes.length + 16);
            for (byte b : bytes) {
                if (b < 0) {
                    escaped.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                } else {
                    escaped.append((char) b);
                }
            }
            return escaped.toString();
        }
    }
}
