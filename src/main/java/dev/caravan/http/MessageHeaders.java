package dev.caravan.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Copies headers between the wire (Netty) and a Camel message. A header sent several times becomes a
 * {@code List<String>} in Camel, so {@code Set-Cookie} and friends keep every value. Internal and hop-by-hop headers
 * are never copied, in either direction.
 */
public final class MessageHeaders {

    private MessageHeaders() {
    }

    /** Wire to Camel. The caller removed the hop-by-hop headers already. */
    public static void toCamel(HttpHeaders from, Map<String, Object> to) {
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (InternalHeaders.isInternal(name)) {
                continue;
            }
            to.merge(name, header.getValue(), MessageHeaders::withRepeat); // one lookup in a HeaderMap
        }
    }

    /** A repeated field: its values in one List, in order. */
    private static Object withRepeat(Object existing, Object value) {
        if (existing instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) list;
            values.add(value);
            return values;
        }
        List<Object> values = new ArrayList<>(2);
        values.add(existing);
        values.add(value);
        return values;
    }

    /** Camel to wire, skipping internal and hop-by-hop names and the framing headers the writer sets itself. */
    public static void toWire(Map<String, Object> from, HttpHeaders to) {
        for (Map.Entry<String, Object> header : from.entrySet()) {
            String name = header.getKey();
            Object value = header.getValue();
            if (value == null || !isEndToEnd(name)) {
                continue;
            }
            if (value instanceof Iterable<?> values) {
                for (Object each : values) {
                    if (each != null) {
                        to.add(name, each.toString());
                    }
                }
            } else {
                to.add(name, value.toString());
            }
        }
    }

    /**
     * Refuses a head whose header values hold CR, LF or NUL: written as they are, they would split the message (a
     * header or a whole request injected), whoever set them (a client, a route, a certificate's subject).
     */
    public static void requireSafeValues(HttpHeaders headers) {
        // the entries as stored, not as Strings: the String iterator copies every name and value of every head
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            if (!isSafeValue(header.getValue())) {
                throw new IllegalArgumentException("Header " + header.getKey()
                        + " has a value with a CR, LF or NUL character; not sent");
            }
        }
    }

    /** No CR, LF or NUL: nothing that could end the field or the head early on the wire. */
    static boolean isSafeValue(CharSequence value) {
        if (value instanceof String text) {
            // String.indexOf is a vectorised intrinsic: a browser's head (cookies, user agent) is hundreds of chars
            return text.indexOf('\r') < 0 && text.indexOf('\n') < 0 && text.indexOf('\0') < 0;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** Keeps only end-to-end headers (e.g. in trailers): drops hop-by-hop ones, those named by Connection, internal ones. */
    public static void removeNonEndToEnd(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        HopByHopHeaders.remove(headers);
        List<CharSequence> internal = null; // rare: no list for the usual head (this runs on every relayed response)
        // names as the decoder made them (no String copy of each), which is all the check needs
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (InternalHeaders.isInternal(name)) {
                if (internal == null) {
                    internal = new ArrayList<>(2);
                }
                internal.add(name);
            }
        }
        if (internal != null) {
            internal.forEach(headers::remove);
        }
    }

    public static boolean isEndToEnd(CharSequence name) {
        return !InternalHeaders.isInternal(name) && !HopByHopHeaders.isFixed(name);
    }

    /**
     * {@link HttpUtil#isKeepAlive}, without its value iterator when there is no {@code Connection} field (most
     * messages): then the version's default decides.
     */
    public static boolean isKeepAlive(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.CONNECTION)
                ? HttpUtil.isKeepAlive(message) : message.protocolVersion().isKeepAliveDefault();
    }

    /** {@link HttpUtil#isTransferEncodingChunked}, without its value iterator when there is no such field. */
    public static boolean isChunked(HttpMessage message) {
        return message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && HttpUtil.isTransferEncodingChunked(message);
    }
}
