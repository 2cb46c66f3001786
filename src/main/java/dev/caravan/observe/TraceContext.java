package dev.caravan.observe;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context for the gateway hop: a valid incoming {@code traceparent} keeps its trace id and flags and gets a
 * new parent id (the gateway's span), so the backend's spans hang under the gateway's; {@code tracestate} passes on
 * untouched. Without a valid {@code traceparent} a new trace starts (sampled flag set, so a backend that traces records
 * it) and any {@code tracestate} is dropped, as the specification asks.
 *
 * @param traceId   32 lower-case hex digits
 * @param spanId    the gateway's span: 16 hex digits, the parent id the backend gets
 * @param parentId  the caller's span id, or null when the trace started here
 * @param flags     2 hex digits
 */
public record TraceContext(String traceId, String spanId, String parentId, String flags) {

    public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    private static final String ZERO_TRACE = "00000000000000000000000000000000";
    private static final String ZERO_SPAN = "0000000000000000";

    /** The context for a request that sent these {@code traceparent} values (usually none or one). */
    public static TraceContext continueOrStart(List<String> traceparents) {
        String newSpan = newSpanId();
        if (traceparents.size() == 1) {
            TraceContext incoming = parse(traceparents.get(0));
            if (incoming != null) {
                return new TraceContext(incoming.traceId, newSpan, incoming.spanId, incoming.flags);
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high;
        long low;
        do {
            high = random.nextLong();
            low = random.nextLong();
        } while (high == 0 && low == 0);
        return new TraceContext(new String(RequestIds.hex(high, low), StandardCharsets.US_ASCII), newSpan, null, "01");
    }

    /** True when the request's own {@code traceparent} was valid and continued. */
    public boolean continued() {
        return parentId != null;
    }

    /** The {@code traceparent} the backend gets (version 00), as bytes that go into a header block as they are. */
    public AsciiString traceparent() {
        byte[] out = new byte[55];
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        copy(traceId, out, 3);
        out[35] = '-';
        copy(spanId, out, 36);
        out[52] = '-';
        copy(flags, out, 53);
        return new AsciiString(out, false);
    }

    /** The ASCII {@code text} at {@code out[at]}. */
    private static void copy(String text, byte[] out, int at) {
        for (int i = 0; i < text.length(); i++) {
            out[at + i] = (byte) text.charAt(i);
        }
    }

    /**
     * A {@code traceparent} value, or null when it is not one: version 2 hex digits (not {@code ff}; a future version
     * may add fields after the four), trace id 32 and parent id 16 lower-case hex digits, neither all zeros, flags 2.
     */
    static TraceContext parse(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.length() < 55 || v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
            return null;
        }
        String version = v.substring(0, 2);
        if (!isHex(version) || version.equals("ff") || (version.equals("00") && v.length() != 55)
                || (v.length() > 55 && v.charAt(55) != '-')) {
            return null;
        }
        String traceId = v.substring(3, 35);
        String parent = v.substring(36, 52);
        String flags = v.substring(53, 55);
        if (!isHex(traceId) || !isHex(parent) || !isHex(flags) || traceId.equals(ZERO_TRACE) || parent.equals(ZERO_SPAN)) {
            return null;
        }
        return new TraceContext(traceId, parent, null, flags);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String newSpanId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long span;
        do {
            span = random.nextLong();
        } while (span == 0);
        byte[] out = new byte[16];
        RequestIds.write(span, out, 0);
        return new String(out, StandardCharsets.US_ASCII);
    }
}
