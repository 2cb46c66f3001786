package dev.caravan.h2;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an HTTP/2 request header block into the HTTP/1.1 request head the rest of the gateway reads, refusing what
 * must never be downgraded (RFC 9113 8.2 and 8.3): missing or repeated pseudo-headers, pseudo-headers after regular
 * ones' place, unknown pseudo-headers, connection-specific fields ({@code connection}, {@code keep-alive},
 * {@code proxy-connection}, {@code transfer-encoding}, {@code upgrade}, {@code te} other than {@code trailers}),
 * upper-case or non-token names, and CR, LF or NUL (or edge whitespace) in any value. Each of these would let one
 * message mean two things to an HTTP/1.1 backend.
 *
 * <p>{@code :authority} becomes {@code Host}; a {@code host} field may also be present only if it names the same
 * authority (as nginx and Envoy do). The body's framing toward HTTP/1.1 comes from the stream itself: a request whose
 * headers end the stream has none, one with a {@code content-length} keeps it (the codec checks it against the DATA
 * frames), any other is chunked.
 */
final class H2RequestHead {

    /** A request header block that must not be turned into a request. */
    static final class MalformedRequest extends Exception {
        MalformedRequest(String message) {
            super(message, null, false, false);
        }
    }

    private H2RequestHead() {
    }

    static HttpRequest toHttp1(Http2Headers block, boolean endStream) throws MalformedRequest {
        String method = null;
        String scheme = null;
        String path = null;
        String authority = null;
        boolean regularSeen = false;
        HttpHeaders headers = new DefaultHttpHeaders(false);
        List<String> cookies = null;
        for (Map.Entry<CharSequence, CharSequence> field : block) {
            CharSequence name = field.getKey();
            String value = field.getValue().toString();
            requireSafeValue(name, value);
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (regularSeen) {
                    throw new MalformedRequest("pseudo-header " + name + " after a regular field");
                }
                switch (name.toString()) {
                    case ":method" -> method = once(method, value, name);
                    case ":scheme" -> scheme = once(scheme, value, name);
                    case ":path" -> path = once(path, value, name);
                    case ":authority" -> authority = once(authority, value, name);
                    default -> throw new MalformedRequest("pseudo-header " + name + " not allowed in a request");
                }
                continue;
            }
            regularSeen = true;
            requireValidName(name);
            String lower = name.toString();
            if (isConnectionSpecific(lower, value)) {
                throw new MalformedRequest("connection-specific field " + lower);
            }
            if (lower.equals("cookie")) {
                // RFC 9113 8.2.3: crumbs sent as separate fields are joined again for HTTP/1.1
                if (cookies == null) {
                    cookies = new ArrayList<>(2);
                }
                cookies.add(value);
            } else {
                headers.add(lower, value);
            }
        }
        if (method == null) {
            throw new MalformedRequest("no :method");
        }
        String target;
        if (method.equals("CONNECT")) {
            // refused later (501) like an HTTP/1.1 CONNECT; it has neither :scheme nor :path
            if (authority == null || scheme != null || path != null) {
                throw new MalformedRequest("CONNECT needs :authority and nothing else");
            }
            target = authority;
        } else {
            if (scheme == null || path == null || path.isEmpty()) {
                throw new MalformedRequest("missing :scheme or :path");
            }
            target = path;
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (authority != null) {
            for (String host : hosts) {
                if (!host.equalsIgnoreCase(authority)) {
                    throw new MalformedRequest(":authority and host disagree");
                }
            }
            headers.set(HttpHeaderNames.HOST, authority);
        }
        if (cookies != null) {
            headers.set(HttpHeaderNames.COOKIE, String.join("; ", cookies));
        }
        if (endStream) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        } else if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        HttpMethod httpMethod;
        try {
            httpMethod = HttpMethod.valueOf(method);
        } catch (IllegalArgumentException e) {
            throw new MalformedRequest("invalid :method");
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, httpMethod, target, headers);
    }

    private static String once(String current, String value, CharSequence name) throws MalformedRequest {
        if (current != null) {
            throw new MalformedRequest("repeated " + name);
        }
        return value;
    }

    /** RFC 9110 token characters, lower case only (RFC 9113 8.2.1). */
    private static void requireValidName(CharSequence name) throws MalformedRequest {
        if (name.length() == 0) {
            throw new MalformedRequest("empty field name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                throw new MalformedRequest("invalid field name");
            }
        }
    }

    /** CR, LF and NUL never; nor leading or trailing space or tab (RFC 9113 8.2.1). */
    private static void requireSafeValue(CharSequence name, String value) throws MalformedRequest {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new MalformedRequest("CR, LF or NUL in " + name);
            }
        }
        if (!value.isEmpty() && (isSpace(value.charAt(0)) || isSpace(value.charAt(value.length() - 1)))) {
            throw new MalformedRequest("whitespace around the value of " + name);
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isConnectionSpecific(String name, String value) {
        return switch (name) {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" -> true;
            case "te" -> !value.equalsIgnoreCase("trailers");
            default -> false;
        };
    }
}
