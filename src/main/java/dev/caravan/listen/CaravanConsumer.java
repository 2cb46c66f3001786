package dev.caravan.listen;

import dev.caravan.http.BodySource;
import dev.caravan.http.GatewayException;
import dev.caravan.http.HopByHopHeaders;
import dev.caravan.http.MessageHeaders;
import dev.caravan.http.ProxyRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a listener's request into an exchange (request line and headers as Camel headers, body as a stream handle),
 * runs the route, and writes what the route left: a backend response streamed through, a page the route made, or an
 * error page for a failure.
 *
 * <p>Headers the route sees: the request's end-to-end headers plus {@code CamelHttpMethod}, {@code CamelHttpUri}
 * (raw target), {@code CamelHttpPath} (raw path), {@code CamelHttpQuery} (raw query), {@code CaravanClientIp},
 * {@code CaravanHost} (the {@code Host} in lower case without port) and, after an mTLS handshake,
 * {@code CaravanClientCertSubject} (the verified client certificate's subject).
 * Query parameters never become headers.
 */
final class CaravanConsumer extends DefaultConsumer implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanConsumer.class);
    public static final String CLIENT_IP = "CaravanClientIp";
    public static final String HOST = "CaravanHost";
    public static final String CLIENT_CERT_SUBJECT = "CaravanClientCertSubject";

    private final CaravanEndpoint endpoint;
    private final AtomicInteger inflight = new AtomicInteger();
    // lifecycle (reload drain): requests whose response is still being written
    private final OpenRequests openRequests = new OpenRequests();

    CaravanConsumer(CaravanEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        endpoint.listener().routes().bind(this, endpoint.host(), endpoint.path());
    }

    @Override
    protected void doStop() throws Exception {
        endpoint.listener().routes().unbind(this);
        super.doStop();
    }

    @Override
    public int inflight() {
        return inflight.get();
    }

    // lifecycle (reload drain)
    @Override
    public int open() {
        return openRequests.count();
    }

    // lifecycle (reload drain)
    @Override
    public void abortOpen() {
        openRequests.abortAll();
    }

    @Override
    public void handle(ProxyRequest request) {
        openRequests.track(request); // lifecycle (reload drain)
        if (endpoint.redirectStatus() != 0 && !request.isSecure()) {
            redirectToHttps(request);
            return;
        }
        Exchange exchange = createExchange(false);
        exchange.setProperty(ProxyRequest.PROPERTY, request);
        Message message = exchange.getIn();
        Map<String, Object> headers = message.getHeaders();
        copyRequestHeaders(request.head().headers(), headers);
        String target = request.rawTarget();
        int q = target.indexOf('?');
        headers.put(Exchange.HTTP_METHOD, request.method().name());
        headers.put(Exchange.HTTP_URI, target);
        headers.put(Exchange.HTTP_PATH, q < 0 ? target : target.substring(0, q));
        if (q >= 0) {
            headers.put(Exchange.HTTP_QUERY, target.substring(q + 1));
        }
        headers.put(CLIENT_IP, request.clientIp());
        headers.put(HOST, HostPattern.hostOf(request.head().headers().get(HttpHeaderNames.HOST)));
        if (request.clientCertSubject() != null) {
            headers.put(CLIENT_CERT_SUBJECT, request.clientCertSubject());
        }
        message.setBody(request.body());
        inflight.incrementAndGet();
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                inflight.decrementAndGet();
                if (request.channel().eventLoop().inEventLoop()) {
                    reply(request, exchange);
                } else {
                    request.channel().eventLoop().execute(() -> reply(request, exchange));
                }
            });
        } catch (RuntimeException e) {
            inflight.decrementAndGet();
            exchange.setException(e);
            reply(request, exchange);
        }
    }

    /** Same host and target on the https listener; the route does not run, so nothing reaches a backend in clear. */
    private void redirectToHttps(ProxyRequest request) {
        String host = HostPattern.hostOf(request.head().headers().get(HttpHeaderNames.HOST));
        if (host.isEmpty()) {
            request.responder().respondError(request, 400); // HTTP/1.0 without Host: no name to redirect to
            return;
        }
        int port = endpoint.httpsPort();
        String target = request.rawTarget().startsWith("/") ? request.rawTarget() : "/";
        HttpResponse head = new DefaultHttpResponse(request.version(),
                HttpResponseStatus.valueOf(endpoint.redirectStatus()));
        head.headers().set(HttpHeaderNames.LOCATION, "https://" + host + (port == 443 ? "" : ":" + port) + target);
        request.responder().respond(request, head, Unpooled.EMPTY_BUFFER);
    }

    private static void copyRequestHeaders(HttpHeaders wire, Map<String, Object> camel) {
        List<String> connectionListed = HopByHopHeaders.connectionTokens(wire);
        MessageHeaders.toCamel(wire, camel);
        connectionListed.forEach(camel::remove);
        camel.keySet().removeIf(name -> !MessageHeaders.isEndToEnd(name));
    }

    private void reply(ProxyRequest request, Exchange exchange) {
        try {
            writeResponse(request, exchange);
        } catch (RuntimeException e) {
            // e.g. a route set a header value Netty refuses (CR/LF): answer 500 rather than leave the client waiting
            LOG.warn("Route {} left a response that cannot be sent: {}", exchange.getFromRouteId(), e.toString());
            BodySource backendBody = request.backendBody();
            if (backendBody != null) {
                backendBody.discard();
            }
            request.responder().respondError(request, 500);
        }
    }

    private void writeResponse(ProxyRequest request, Exchange exchange) {
        ProxyRequest.ResponseWriter client = request.responder();
        BodySource backendBody = request.backendBody();
        Exception failure = exchange.getException();
        if (failure != null) {
            if (backendBody != null) {
                backendBody.discard();
            }
            int status = failure instanceof GatewayException g ? g.status() : 500;
            if (status >= 500) {
                LOG.warn("Route {} failed for {} {}: {}", exchange.getFromRouteId(), request.method(),
                        request.rawTarget(), failure.toString());
            }
            client.respondError(request, status, failure instanceof GatewayException g ? g.retryAfterSeconds() : 0);
            return;
        }
        Message message = exchange.getMessage();
        Object body = message.getBody();
        Integer code = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (body instanceof BodySource source && source == backendBody) {
            client.respond(request, head(request, message, code == null ? 200 : code, message.getHeaders()), source);
            return;
        }
        if (backendBody != null) {
            backendBody.discard();
        }
        if (code == null && (body == null || body == request.body())) {
            // the route neither forwarded nor answered: nothing handles this request
            client.respondError(request, 404);
            return;
        }
        ByteBuf content = Unpooled.EMPTY_BUFFER;
        if (body != null && !(body instanceof BodySource)) {
            byte[] bytes = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
            if (bytes == null) {
                LOG.warn("Route {} left a body of type {} that cannot be sent", exchange.getFromRouteId(),
                        body.getClass().getName());
                client.respondError(request, 500);
                return;
            }
            content = Unpooled.wrappedBuffer(bytes);
        }
        Map<String, Object> responseHeaders = backendBody != null
                ? message.getHeaders() : headersSetByRoute(message.getHeaders(), request.head().headers());
        client.respond(request, head(request, message, code == null ? 200 : code, responseHeaders), content);
    }

    private static HttpResponse head(ProxyRequest request, Message message, int code, Map<String, Object> headers) {
        String reason = message.getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class);
        HttpResponseStatus status = reason == null ? HttpResponseStatus.valueOf(code) : new HttpResponseStatus(code, reason);
        HttpResponse head = new DefaultHttpResponse(request.version(), status);
        MessageHeaders.toWire(headers, head.headers());
        return head;
    }

    /**
     * For a response the route made itself, the message still carries the request's headers; only those the route
     * added or changed belong in the response, so nothing from the request is reflected back.
     */
    private static Map<String, Object> headersSetByRoute(Map<String, Object> message, HttpHeaders request) {
        Map<String, Object> set = new java.util.LinkedHashMap<>();
        message.forEach((name, value) -> {
            if (name.equalsIgnoreCase("Content-Length")) {
                return;
            }
            List<String> sent = request.getAll(name);
            if (sent.isEmpty() || !Objects.equals(asStrings(value), sent)) {
                set.put(name, value);
            }
        });
        return set;
    }

    private static List<String> asStrings(Object value) {
        if (value instanceof Iterable<?> values) {
            List<String> strings = new java.util.ArrayList<>();
            values.forEach(v -> strings.add(String.valueOf(v)));
            return strings;
        }
        return List.of(String.valueOf(value));
    }
}
