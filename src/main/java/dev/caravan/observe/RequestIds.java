package dev.caravan.observe;

import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: a client's {@code X-Request-Id} is kept when it is well-formed (1 to {@value #MAX_LENGTH} characters
 * from a safe set, sent once), so an id made by a client or a proxy in front follows the request; otherwise a new one
 * is made. New ids are 128 random bits in hex (32 characters): no coordination, no lock, unique for all practical
 * purposes, and safe in every log format.
 */
public final class RequestIds {

    public static final AsciiString HEADER = AsciiString.cached("X-Request-Id"); // hashed once, not per request
    static final int MAX_LENGTH = 128;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final boolean keepIncoming;

    public RequestIds(boolean keepIncoming) {
        this.keepIncoming = keepIncoming;
    }

    /**
     * The id for a request whose {@code X-Request-Id} headers are {@code sent} (usually none or one): the one sent, or
     * a new one as an {@link AsciiString}, which goes into header blocks as a copy of its bytes.
     */
    public CharSequence idFor(List<String> sent) {
        if (keepIncoming && sent.size() == 1 && isWellFormed(sent.get(0))) {
            return sent.get(0);
        }
        return newId();
    }

    /** Letters, digits and {@code - _ . : + / = @}, at most {@value #MAX_LENGTH}: nothing a log line or header breaks on. */
    static boolean isWellFormed(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static AsciiString newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new AsciiString(hex(random.nextLong(), random.nextLong()), false);
    }

    /** Two longs as 32 lower-case hex digits. */
    static byte[] hex(long high, long low) {
        byte[] out = new byte[32];
        write(high, out, 0);
        write(low, out, 16);
        return out;
    }

    /** {@code value} as 16 lower-case hex digits at {@code out[at]}. */
    static void write(long value, byte[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
