package dev.caravan.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The headers that describe one connection rather than the message (RFC 9110 §7.6.1), which a proxy must not pass
 * on: {@code Connection} and every name it lists, plus the fixed set below. {@code Transfer-Encoding} is re-framed by
 * whoever writes the message next.
 */
public final class HopByHopHeaders {

    private static final AsciiString[] FIXED = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.KEEP_ALIVE,
        AsciiString.cached("proxy-connection"),
        HttpHeaderNames.TE,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.PROXY_AUTHENTICATE,
    };

    private static final String[] PROTECTED = {"content-length", "transfer-encoding", "host"};

    private HopByHopHeaders() {
    }

    public static void remove(HttpHeaders headers) {
        List<String> listed = connectionTokens(headers);
        for (AsciiString name : FIXED) {
            headers.remove(name);
        }
        for (String name : listed) {
            headers.remove(name);
        }
    }

    /** True for a name in the fixed hop-by-hop set (case-insensitive). */
    public static boolean isFixed(CharSequence name) {
        for (AsciiString hop : FIXED) {
            if (hop.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The header names that the {@code Connection} header marks as hop-by-hop, except the framing headers and
     * {@code Host}: a client naming {@code Content-Length} there must not make the proxy lose the body's framing
     * (that would smuggle the body to the backend as a second request).
     */
    public static List<String> connectionTokens(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return List.of(); // without reading the (absent) values into a new list: this runs on every head
        }
        List<String> tokens = null; // made for the first token that counts
        // values as stored, not getAll(): that copies them into a new list on every head. The iterator gives the
        // last value first, so each value's tokens go in front of the later ones'
        for (Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
             values.hasNext(); ) {
            String value = values.next().toString();
            int at = 0;
            // comma to comma by indexOf: no array of pieces, and the usual lone "keep-alive" is taken as it is
            // (substring and trim return the same String when there is nothing to cut)
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String token = value.substring(start, end).trim();
                if (!token.isEmpty() && !isProtected(token)) {
                    if (tokens == null) {
                        tokens = new ArrayList<>(2);
                    }
                    tokens.add(at++, token);
                }
                start = end + 1;
            }
        }
        return tokens == null ? List.of() : tokens;
    }

    private static boolean isProtected(String token) {
        for (String name : PROTECTED) {
            if (name.equalsIgnoreCase(token)) { // a length check first: no lower-cased copy of each token
                return true;
            }
        }
        return false;
    }
}
