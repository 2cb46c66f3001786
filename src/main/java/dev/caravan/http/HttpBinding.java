package dev.caravan.http;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every conversion between the wire (Netty heads) and a Camel message, in one place, as Camel's own
 * {@code NettyHttpBinding} does for netty-http: client request → message, message → backend request, backend
 * response → message, 1xx relays, and message → client response. The header rules live here too: hop-by-hop headers
 * never cross, {@code Camel*}/{@code Caravan*} headers never reach the wire in either direction, and a header value
 * with CR, LF or NUL is never sent.
 *
 * <p>Headers a route sees, besides the request's own end-to-end headers: {@code CamelHttpMethod},
 * {@code CamelHttpUri} (raw target), {@code CamelHttpPath} (raw path), {@code CamelHttpQuery} (raw query, absent when
 * none), {@link #CLIENT_IP}, {@link #HOST} and, after an mTLS handshake, {@link #CLIENT_CERT_SUBJECT}. Query
 * parameters never become headers.
 */
public final class HttpBinding {

    public static final String CLIENT_IP = "CaravanClientIp";
    public static final String HOST = "CaravanHost";
    public static final String CLIENT_CERT_SUBJECT = "CaravanClientCertSubject";
    /** The canonical path ({@link ProxyExchange#canonicalPath()}): what rules should compare. */
    public static final String PATH = "CaravanPath";

    // ---- client request → Camel message

    /** Fills a new exchange's message from the client request: headers as above, body as the stream handle. */
    public void toCamel(ProxyExchange request, Message message) {
        Map<String, Object> headers = message.getHeaders();
        if (request.carriedHeaders() != null) {
            headers.putAll(request.carriedHeaders()); // a guard already read the request (and may have edited it)
            message.setBody(request.requestBody());
            return;
        }
        HttpHeaders wire = request.head().headers();
        List<String> connectionListed = HopByHopHeaders.connectionTokens(wire);
        MessageHeaders.toCamel(wire, headers);
        connectionListed.forEach(headers::remove);
        headers.keySet().removeIf(name -> !MessageHeaders.isEndToEnd(name));
        String target = request.rawTarget();
        int q = target.indexOf('?');
        headers.put(Exchange.HTTP_METHOD, request.method().name());
        headers.put(Exchange.HTTP_URI, target);
        headers.put(Exchange.HTTP_PATH, q < 0 ? target : target.substring(0, q));
        if (q >= 0) {
            headers.put(Exchange.HTTP_QUERY, target.substring(q + 1));
        }
        headers.put(PATH, request.canonicalPath());
        headers.put(CLIENT_IP, request.clientIp());
        headers.put(HOST, HostHeader.hostOf(wire.get(HttpHeaderNames.HOST)));
        if (request.client().certSubject() != null) {
            headers.put(CLIENT_CERT_SUBJECT, request.client().certSubject());
        }
        message.setBody(request.requestBody());
    }

    /**
     * One of the client's header fields as {@link #toCamel} would put it in a new message (a String, a List for a
     * repeated field, or null when absent, hop-by-hop or named in {@code Connection}), without making the message.
     * Not for the internal headers ({@code CamelHttp*}, {@code Caravan*}), which only a message holds.
     */
    public static Object requestHeader(ProxyExchange request, String name) {
        Map<String, Object> carried = request.carriedHeaders();
        if (carried != null) {
            for (Map.Entry<String, Object> header : carried.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    return header.getValue();
                }
            }
            return null;
        }
        HttpHeaders wire = request.head().headers();
        if (!MessageHeaders.isEndToEnd(name) || !wire.contains(name)) {
            return null;
        }
        if (namedIn(HopByHopHeaders.connectionTokens(wire), name)) {
            return null;
        }
        List<String> values = wire.getAll(name);
        return values.size() == 1 ? values.get(0) : new ArrayList<>(values);
    }

    // ---- Camel message → backend request

    /** The request target the route left: {@code CamelHttpUri} if it changed it, else its path and query headers. */
    public String targetOf(Message message, ProxyExchange request) {
        return targetOf(request.rawTarget(), message.getHeader(Exchange.HTTP_URI, String.class),
                message.getHeader(Exchange.HTTP_PATH, String.class), message.getHeader(Exchange.HTTP_QUERY, String.class));
    }

    /**
     * The same for a forward-only route ({@link DirectForward}): the raw target, or the one a guard route left in the
     * headers the request carries from it.
     */
    public String targetOf(ProxyExchange request) {
        Map<String, Object> carried = request.carriedHeaders();
        if (carried == null) {
            return request.rawTarget();
        }
        return targetOf(request.rawTarget(), text(carried.get(Exchange.HTTP_URI)), text(carried.get(Exchange.HTTP_PATH)),
                text(carried.get(Exchange.HTTP_QUERY)));
    }

    /** The method a forward-only route sends: the client's, or the one a guard route left. */
    public String methodOf(ProxyExchange request) {
        Map<String, Object> carried = request.carriedHeaders();
        Object method = carried == null ? null : carried.get(Exchange.HTTP_METHOD);
        return method == null ? request.method().name() : method.toString();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** {@code uri} if a step changed it, else the raw target with the path and query a step may have changed. */
    private static String targetOf(String raw, String uri, String path, String query) {
        if (uri != null && !uri.equals(raw)) {
            return uri;
        }
        int q = raw.indexOf('?');
        String rawPath = q < 0 ? raw : raw.substring(0, q);
        String rawQuery = q < 0 ? null : raw.substring(q + 1);
        if (path == null) {
            path = rawPath;
        }
        if (path.equals(rawPath) && Objects.equals(query, rawQuery)) {
            return raw;
        }
        return (path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
    }

    /**
     * The backend request for the route's message: method and headers as the route left them, {@code target} as the
     * forwarder computed it, {@code Host} kept or set to the backend's, the forwarding headers set (and RFC 7239
     * {@code Forwarded} too when {@code emitForwarded}), and the body's
     * framing taken from how Caravan itself read the client's body (never from headers a route could change).
     *
     * @throws IllegalArgumentException when a header value holds CR, LF or NUL, or the body cannot be sent
     */
    public BackendRequest toBackend(Exchange exchange, ProxyExchange request, String target, String backendAuthority,
                                    boolean preserveHost, boolean emitForwarded) {
        Message message = exchange.getMessage();
        String method = message.getHeader(Exchange.HTTP_METHOD, request.method().name(), String.class);
        HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target, false);
        HttpHeaders headers = outgoing.headers();
        MessageHeaders.toWire(message.getHeaders(), headers);
        MessageHeaders.requireSafeValues(headers);
        forwardingHeaders(outgoing, request, backendAuthority, preserveHost, emitForwarded);
        Object body = message.getBody();
        if (body instanceof BodySource source) {
            return withStreamedBody(outgoing, request, source);
        }
        if (body != null) {
            byte[] bytes = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
            if (bytes == null) {
                throw new IllegalArgumentException("Cannot send a body of type " + body.getClass().getName()
                        + " to a backend");
            }
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return new BackendRequest(outgoing, null, bytes);
        }
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        return new BackendRequest(outgoing, null, null);
    }

    /**
     * The backend request of a forward-only route ({@link DirectForward}): what {@link #toCamel} and then
     * {@link #toBackend(Exchange, ProxyExchange, String, String, boolean, boolean)} make of the client's request when
     * no step changes it, copied from head to head: end-to-end headers only (no hop-by-hop, none the
     * {@code Connection} header names, no internal ones), then the same forwarding headers and body framing. After a
     * guard route, the method and headers are the ones it left ({@link ProxyExchange#carriedHeaders()}).
     */
    public BackendRequest toBackend(ProxyExchange request, String target, String backendAuthority,
                                    boolean preserveHost, boolean emitForwarded) {
        Map<String, Object> carried = request.carriedHeaders();
        HttpMethod method = carried == null ? request.method() : HttpMethod.valueOf(methodOf(request));
        HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target, false);
        HttpHeaders headers = outgoing.headers();
        if (carried != null) {
            MessageHeaders.toWire(carried, headers); // what a guard route left, as the exchange path sends it
            MessageHeaders.requireSafeValues(headers);
        } else {
            // no second scan of the values: the HTTP/1.1 decoder held each to the field-content rule (no CR, LF, NUL
            // or other controls) and H2RequestHead refused CR, LF and NUL; Caravan's own (request id, traceparent)
            // are hex (SmugglingTableTest, H2RequestHeadTest)
            HttpHeaders wire = request.head().headers();
            List<String> connectionListed = HopByHopHeaders.connectionTokens(wire);
            // the decoder's names and values as they are (the String iterator copies each)
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = wire.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> header = it.next();
                CharSequence name = header.getKey();
                if (MessageHeaders.isEndToEnd(name) && !namedIn(connectionListed, name)) {
                    headers.add(name, header.getValue());
                }
            }
        }
        forwardingHeaders(outgoing, request, backendAuthority, preserveHost, emitForwarded);
        return withStreamedBody(outgoing, request, request.requestBody());
    }

    private static boolean namedIn(List<String> names, CharSequence name) {
        for (String listed : names) {
            if (AsciiString.contentEqualsIgnoreCase(listed, name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code Host}, the forwarding headers, a WebSocket handshake's upgrade; no framing from the route's headers. */
    private static void forwardingHeaders(HttpRequest outgoing, ProxyExchange request, String backendAuthority,
                                          boolean preserveHost, boolean emitForwarded) {
        HttpHeaders headers = outgoing.headers();
        if (!preserveHost || !headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, backendAuthority);
        }
        ForwardedHeaders.apply(headers, request, emitForwarded);
        if (request.isWebSocketUpgrade()) {
            // hop-by-hop, so never taken from the route's message: only a handshake the client made is asked for
            headers.set(HttpHeaderNames.UPGRADE, "websocket");
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    }

    /** Framing taken from how Caravan itself read the client's body, when {@code source} is that body. */
    private static BackendRequest withStreamedBody(HttpRequest outgoing, ProxyExchange request, BodySource source) {
        HttpHeaders headers = outgoing.headers();
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        if (source != request.requestBody()) {
            return new BackendRequest(outgoing, null, null); // e.g. an earlier backend's answer: not a request body
        }
        HttpRequest client = request.head();
        if (request.hasBody()) {
            if (HttpUtil.isTransferEncodingChunked(client)) {
                HttpUtil.setTransferEncodingChunked(outgoing, true);
            } else {
                HttpUtil.setContentLength(outgoing, HttpUtil.getContentLength(client, 0L));
            }
            BodySource streamed = request.requestBodyFor(outgoing);
            if (!outgoing.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                HttpUtil.setTransferEncodingChunked(outgoing, true); // a decorator changed the length
            }
            return new BackendRequest(outgoing, streamed, null);
        }
        if (client.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, 0); // an explicit empty body (some servers want 411)
        }
        return new BackendRequest(outgoing, null, null);
    }

    /**
     * A backend request: its head and at most one body, streamed (the client's, decorated) or held in memory (a body
     * the route set).
     */
    public record BackendRequest(HttpRequest head, BodySource streamed, byte[] fixed) {
    }

    // ---- backend response → Camel message

    /** Replaces the message with the backend's answer: status, reason, end-to-end headers, body as a stream handle. */
    public void backendResponseToCamel(HttpResponse response, BodySource body, Message message) {
        HopByHopHeaders.remove(response.headers());
        Map<String, Object> headers = message.getHeaders();
        headers.clear();
        MessageHeaders.toCamel(response.headers(), headers);
        headers.put(Exchange.HTTP_RESPONSE_CODE, response.status().code());
        headers.put(Exchange.HTTP_RESPONSE_TEXT, response.status().reasonPhrase());
        message.setBody(body);
    }

    /**
     * The client's response head for a backend's answer on a forward-only route ({@link DirectForward}): what
     * {@link #backendResponseToCamel} and then {@link #toClient} make of it when no step changes it: status and reason,
     * end-to-end headers (no hop-by-hop, none {@code Connection} names, no internal ones), the client's HTTP version.
     */
    public HttpResponse relayToClient(HttpResponse response, ProxyExchange request) {
        // the backend's head is this call's alone once its keep-alive is read: edited in place, not copied
        MessageHeaders.removeNonEndToEnd(response.headers());
        response.setProtocolVersion(request.version());
        return response;
    }

    /** A backend's 1xx as the client should get it: its end-to-end headers, in the client's HTTP version. */
    public FullHttpResponse interimForClient(HttpResponse interim, HttpVersion clientVersion) {
        FullHttpResponse relayed = new DefaultFullHttpResponse(clientVersion, interim.status());
        HopByHopHeaders.remove(interim.headers());
        interim.headers().forEach(h -> {
            if (MessageHeaders.isEndToEnd(h.getKey())) {
                relayed.headers().add(h.getKey(), h.getValue());
            }
        });
        return relayed;
    }

    // ---- Camel message → client response

    /**
     * The response head for what the route left in its message. {@code relayed} is true when the message is a backend's
     * answer (all its headers go out); for a response the route made itself, the message still carries the request's
     * headers, so only those the route added or changed go out and nothing from the request is reflected back.
     */
    public HttpResponse toClient(Message message, ProxyExchange request, int status, boolean relayed) {
        String reason = message.getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class);
        HttpResponseStatus httpStatus = reason == null
                ? HttpResponseStatus.valueOf(status) : new HttpResponseStatus(status, reason);
        HttpResponse head = new DefaultHttpResponse(request.version(), httpStatus);
        MessageHeaders.toWire(relayed ? message.getHeaders() : setByRoute(message.getHeaders(), request), head.headers());
        return head;
    }

    private static Map<String, Object> setByRoute(Map<String, Object> message, ProxyExchange request) {
        HttpHeaders sent = request.head().headers();
        Map<String, Object> set = new LinkedHashMap<>();
        message.forEach((name, value) -> {
            if (name.equalsIgnoreCase("Content-Length")) {
                return;
            }
            List<String> values = sent.getAll(name);
            if (values.isEmpty() || !Objects.equals(asStrings(value), values)) {
                set.put(name, value);
            }
        });
        return set;
    }

    private static List<String> asStrings(Object value) {
        if (value instanceof Iterable<?> values) {
            List<String> strings = new ArrayList<>();
            values.forEach(v -> strings.add(String.valueOf(v)));
            return strings;
        }
        return List.of(String.valueOf(value));
    }
}
