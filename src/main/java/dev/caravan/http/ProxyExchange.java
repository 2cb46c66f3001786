package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One client request and its response, from the head read off the connection to the last byte written back: the
 * request head exactly as received, the client facts, the body handles, the response pipeline (head filters and body
 * decorators that route steps install) and the {@link RequestLog}. Everything that reports on or acts on a request
 * reads this one object. It lives in the Camel exchange property {@link #PROPERTY} while a route runs.
 *
 * <p>Threading: an exchange belongs to its client connection's event loop. Methods that touch the connection or the
 * pipeline check that they run there ({@link #requireEventLoop()}); route steps on other threads hand work back with
 * {@code eventLoop().execute(...)}.
 */
public final class ProxyExchange {

    public static final String PROPERTY = "CaravanExchange";
    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

    private final HttpRequest head;
    private final String rawTarget;
    private final String canonicalPath;
    private final StreamingBody requestBody;
    private final Channel channel;
    private final ClientInfo client;
    private final ClientResponder responder;
    private final RequestLog log;
    /** The listener's head filters (shared by all its exchanges, never changed here) and the route's (made on need). */
    private final List<ResponseHeadFilter> listenerFilters;
    private List<ResponseHeadFilter> routeFilters;
    private List<BodyDecorator> responseDecorators;
    private List<BodyDecorator> requestDecorators;
    private BodySource requestBodyToSend;
    private BodySource backendBody;
    private Runnable onAbort;
    private boolean aborted;
    private boolean responded;
    private boolean relayingBackendBody;
    private List<Consumer<ProxyExchange>> onFinished;
    private List<Consumer<ProxyExchange>> onUpgraded;
    private boolean webSocketUpgrade;
    private ErrorRenderer errorRenderer;
    private boolean upgraded;
    /** Type, value, type, value...: one or two per request, so a scan beats a map. */
    private Object[] attachments;
    private java.util.Map<String, Object> carriedHeaders;
    private WorkContext workContext;
    /** Sets of open requests hash every request: a random number is far cheaper than an identity hash. */
    private final int hash = java.util.concurrent.ThreadLocalRandom.current().nextInt();

    /**
     * @param listenerFilters head filters the listener applies to every response (HSTS, ...); they run after any a
     *                        route installs, so the listener has the last word
     */
    public ProxyExchange(HttpRequest head, String rawTarget, String canonicalPath, StreamingBody requestBody,
                         Channel channel, ClientInfo client, ClientResponder responder,
                         List<ResponseHeadFilter> listenerFilters, RequestLog log) {
        this.head = head;
        this.rawTarget = rawTarget;
        this.canonicalPath = canonicalPath;
        this.requestBody = requestBody;
        this.channel = channel;
        this.client = client;
        this.responder = responder;
        this.log = log;
        this.listenerFilters = List.copyOf(listenerFilters);
    }

    /** Identity, as Object's; only the hash is cheaper. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * What a thread needs in place to work for this request (the log MDC's request ids): {@link #enter} sets it up and
     * returns what takes it away again.
     */
    public interface WorkContext {
        Runnable enter();
    }

    /** Set once by whoever owns the request's context (observability); see {@link #resume}. */
    public void workContext(WorkContext context) {
        this.workContext = context;
    }

    /**
     * Runs work that continues this request on an event that is not its client connection's (a backend's answer or
     * failure) inside the request's {@link WorkContext}, so what it logs names the request.
     */
    public void resume(Runnable work) {
        WorkContext context = workContext;
        if (context == null) {
            work.run();
            return;
        }
        Runnable leave = context.enter();
        try {
            work.run();
        } finally {
            leave.run();
        }
    }

    /** The Caravan exchange a Camel exchange carries, or null when it did not come from a {@code caravan:} endpoint. */
    public static ProxyExchange of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, ProxyExchange.class);
    }

    /** Like {@link #of} but fails with a clear message (for steps that only make sense on a Caravan route). */
    public static ProxyExchange require(Exchange exchange, String step) {
        ProxyExchange proxy = of(exchange);
        if (proxy == null) {
            throw new IllegalStateException(step + " works only in a route that starts from a caravan: endpoint");
        }
        return proxy;
    }

    // ---- the request

    public HttpRequest head() {
        return head;
    }

    public HttpMethod method() {
        return head.method();
    }

    public HttpVersion version() {
        return head.protocolVersion();
    }

    /** The request target in origin form, byte for byte as the client sent it. */
    public String rawTarget() {
        return rawTarget;
    }

    /**
     * The path as routes and rules read it ({@link PathCanonicalizer}): one spelling per meaning, so no rule can be
     * side-stepped by encoding, dot-segments or {@code ;parameters}. The backend still gets {@link #rawTarget()}.
     */
    public String canonicalPath() {
        return canonicalPath;
    }

    /**
     * The client asked to switch this connection to WebSocket (a well-formed HTTP/1.1 opening handshake): the
     * backend request carries {@code Upgrade: websocket} and {@code Connection: Upgrade}, and a 101 from the backend
     * turns the connection into a tunnel.
     */
    public boolean isWebSocketUpgrade() {
        return webSocketUpgrade;
    }

    /** Set by the connection that read the request (only it can tell a well-formed handshake). */
    public void markWebSocketUpgrade() {
        this.webSocketUpgrade = true;
    }

    /** True once the connection became a WebSocket tunnel (after the 101). */
    public boolean isUpgraded() {
        return upgraded;
    }

    /**
     * The connection became a tunnel: the exchange no longer belongs to its route (a reload neither waits for it nor
     * cuts it), though it stays open until the tunnel ends.
     */
    public void upgraded() {
        upgraded = true;
        if (onUpgraded != null) {
            onUpgraded.forEach(listener -> listener.accept(this));
            onUpgraded = null;
        }
    }

    /** Runs {@code listener} if this exchange becomes a tunnel (see {@link #upgraded()}). */
    public void onUpgraded(Consumer<ProxyExchange> listener) {
        if (upgraded) {
            listener.accept(this);
            return;
        }
        if (onUpgraded == null) {
            onUpgraded = new ArrayList<>(1);
        }
        onUpgraded.add(listener);
    }

    /** True when the client announced a body (chunked, or a non-zero Content-Length). */
    public boolean hasBody() {
        return MessageHeaders.isChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    /** The request body as the client sends it: the handle a route's message carries as its body. */
    public BodySource requestBody() {
        return requestBody;
    }

    /** The connection's side of the request body (only for the connection that feeds it). */
    public StreamingBody incomingBody() {
        return requestBody;
    }

    public ClientInfo client() {
        return client;
    }

    public String clientIp() {
        return client.ip();
    }

    public boolean isSecure() {
        return client.secure();
    }

    /** The client connection; its event loop is where this exchange's work runs. */
    public Channel channel() {
        return channel;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** The client connection's peer: the TCP peer, or the client a trusted load balancer announced (PROXY). */
    public InetSocketAddress remoteAddress() {
        return PeerAddress.of(channel);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public RequestLog log() {
        return log;
    }

    /** Fails when called off this exchange's event loop (a bug: the caller must hand the work to the loop). */
    public void requireEventLoop() {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("Caravan exchange touched off its event loop, on "
                    + Thread.currentThread().getName());
        }
    }

    /**
     * A guard route let the request go on: the next route starts from the headers the guard left (an identity it
     * established, a rewritten target), not from the wire again.
     */
    public void carryHeaders(java.util.Map<String, Object> headers) {
        this.carriedHeaders = new java.util.LinkedHashMap<>(headers);
    }

    /** The headers a guard left, or null. */
    public java.util.Map<String, Object> carriedHeaders() {
        return carriedHeaders;
    }

    /** The route that took this request. */
    public void routeDecided(String routeId) {
        log.routeDecided(routeId);
    }

    // ---- the pipeline: what route steps install

    /** Head tier: edit every final response head of this exchange (see {@link ResponseHeadFilter}). */
    public void onResponseHead(ResponseHeadFilter filter) {
        if (routeFilters == null) {
            routeFilters = new ArrayList<>(2);
        }
        routeFilters.add(filter);
    }

    /** Byte tier: wrap the response body on its way to the client (applied in installation order). */
    public void decorateResponseBody(BodyDecorator decorator) {
        if (responseDecorators == null) {
            responseDecorators = new ArrayList<>(2);
        }
        responseDecorators.add(decorator);
    }

    /** Byte tier: wrap the request body on its way to a backend (applied in installation order). */
    public void decorateRequestBody(BodyDecorator decorator) {
        if (requestBodyToSend != null) {
            throw new IllegalStateException("The request body is already on its way to a backend");
        }
        if (requestDecorators == null) {
            requestDecorators = new ArrayList<>(2);
        }
        requestDecorators.add(decorator);
    }

    /**
     * The request body as it goes to a backend: the client's body through the installed decorators, built once (a
     * streamed body can be sent only once). {@code outgoing} is the backend request head, which decorators may edit.
     */
    public BodySource requestBodyFor(HttpMessage outgoing) {
        if (requestBodyToSend == null) {
            BodySource body = requestBody;
            if (requestDecorators != null) {
                for (BodyDecorator decorator : requestDecorators) {
                    body = decorator.decorate(outgoing, body);
                }
            }
            requestBodyToSend = body;
        }
        return requestBodyToSend;
    }

    // ---- the response

    /** Relays a 1xx interim response to the client. */
    public void interim(HttpResponse interim) {
        requireEventLoop();
        responder.writeInterim(this, interim);
    }

    /**
     * Sends the response: runs the head filters, wraps the body in the decorators (and the byte count), and hands both
     * to the connection, which frames and streams them. A second response for the same exchange is dropped.
     */
    public void respond(HttpResponse response, BodySource body) {
        requireEventLoop();
        if (responded) {
            if (body != null) {
                body.discard();
            }
            return;
        }
        responded = true;
        relayingBackendBody = body != null && body == backendBody;
        try {
            // the last installed first: the route's, then the listener's (they have the last word)
            if (routeFilters != null) {
                for (int i = routeFilters.size() - 1; i >= 0; i--) {
                    routeFilters.get(i).filter(this, response);
                }
            }
            for (int i = listenerFilters.size() - 1; i >= 0; i--) {
                listenerFilters.get(i).filter(this, response);
            }
        } catch (RuntimeException e) {
            // a filter that breaks must not leave the client waiting, nor send a half-edited head
            LOG.warn("A response filter failed for {} {}: {}", head.method(), rawTarget, e.toString());
            if (body != null) {
                body.discard();
            }
            writeDirect(ErrorPage.render(channel.alloc(), version(), 500, head.headers().get(HttpHeaderNames.ACCEPT)));
            return;
        }
        if (body != null && response.status().code() != 101) {
            // (a 101's "body" is the upgraded backend connection: no decorator or count applies; the tunnel counts)
            if (responseDecorators != null) {
                for (BodyDecorator decorator : responseDecorators) {
                    body = decorator.decorate(response, body);
                }
            }
            body = new BodyCounter(body, log::addBytesOut);
        }
        log.responseStarted(response.status().code());
        responder.write(this, response, body);
    }

    /** Sends a response whose body is in memory (a page a route made, an error page). */
    public void respond(HttpResponse response, ByteBuf content) {
        respond(response, new DefaultLastHttpContent(content));
    }

    /** Like {@link #respond(HttpResponse, ByteBuf)}, with the body as one content (a {@link FileBackedContent}). */
    public void respond(HttpResponse response, LastHttpContent content) {
        HttpHeaders headers = response.headers();
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.content().readableBytes());
        respond(response, StreamingBody.of(content));
    }

    /** The gateway's own failures for this exchange are answered by {@code renderer} instead of the error page. */
    public void renderErrorsWith(ErrorRenderer renderer) {
        this.errorRenderer = renderer;
    }

    /** Sends the gateway's own error page for {@code status}, with {@code extraHeaders} (may be null). */
    public void respondError(int status, HttpHeaders extraHeaders) {
        if (errorRenderer != null) {
            errorRenderer.respond(this, status, extraHeaders);
            return;
        }
        FullHttpResponse page = ErrorPage.render(channel.alloc(), version(), status,
                head.headers().get(HttpHeaderNames.ACCEPT));
        if (extraHeaders != null) {
            page.headers().setAll(extraHeaders);
        }
        respond(new DefaultHttpResponse(page.protocolVersion(), page.status(), page.headers()), page.content());
    }

    public void respondError(int status) {
        respondError(status, null);
    }

    private void writeDirect(FullHttpResponse page) {
        HttpResponse response = new DefaultHttpResponse(page.protocolVersion(), page.status(), page.headers());
        log.responseStarted(page.status().code());
        responder.write(this, response, StreamingBody.of(page.content()));
    }

    /** True while the response being sent carries the backend's own body (not a page the route or gateway made). */
    public boolean isRelayingBackendBody() {
        return relayingBackendBody;
    }

    /** True once a final response head was handed to the connection. */
    public boolean hasResponded() {
        return responded;
    }

    /** The backend response body attached to this exchange, so it is closed if the route drops it. */
    public BodySource backendBody() {
        return backendBody;
    }

    public void attachBackendBody(BodySource body) {
        if (backendBody != null && backendBody != body) {
            backendBody.discard();
        }
        this.backendBody = body;
    }

    // ---- endings

    /** Registers what to cancel if the client goes away while the request is in flight (at once if it has). */
    public void onAbort(Runnable action) {
        this.onAbort = action;
        if (aborted && action != null) {
            abort();
        }
    }

    public boolean isAborted() {
        return aborted;
    }

    /** The client went away: cancel whatever is in flight for it. */
    public void abort() {
        aborted = true;
        Runnable action = onAbort;
        onAbort = null;
        if (action != null) {
            action.run();
        }
    }

    /** Runs {@code listener} once when this exchange ends, however it ends (at once if it has). */
    public void onFinished(Consumer<ProxyExchange> listener) {
        if (log.outcome() != RequestLog.Outcome.OPEN) {
            listener.accept(this);
            return;
        }
        if (onFinished == null) {
            onFinished = new ArrayList<>(2);
        }
        onFinished.add(listener);
    }

    /**
     * The connection is done with this exchange: records how, cancels whatever is still working for it (a forward
     * whose answer can no longer be sent), and tells the listeners (once).
     */
    public void finished(RequestLog.Outcome outcome) {
        if (log.outcome() != RequestLog.Outcome.OPEN) {
            return;
        }
        log.ended(outcome);
        if (onAbort != null) {
            abort();
        }
        if (onFinished != null) {
            for (Consumer<ProxyExchange> listener : onFinished) {
                try {
                    listener.accept(this);
                } catch (RuntimeException e) {
                    LOG.warn("A finish listener failed for {} {}: {}", head.method(), rawTarget, e.toString());
                }
            }
        }
    }

    /** Cuts the exchange now (a drained route generation ran out of time, or shutdown): closes its connection. */
    public void cut() {
        channel.eventLoop().execute(() -> {
            if (log.outcome() == RequestLog.Outcome.OPEN) {
                finished(RequestLog.Outcome.CUT);
                responder.cut(this);
            }
        });
    }

    // ---- attachments (observe: per-request state of listener-wide features such as the request id)

    /** What a listener-wide feature attached to this exchange under {@code type}, or null. */
    public <T> T attachment(Class<T> type) {
        if (attachments != null) {
            for (int i = 0; i < attachments.length && attachments[i] != null; i += 2) {
                if (attachments[i] == type) {
                    return type.cast(attachments[i + 1]);
                }
            }
        }
        return null;
    }

    /** Attaches per-request state of a listener-wide feature (request id, trace context, access-log choice). */
    public <T> void attach(Class<T> type, T value) {
        if (attachments == null) {
            attachments = new Object[4];
        }
        int free = 0;
        while (free < attachments.length && attachments[free] != null && attachments[free] != type) {
            free += 2;
        }
        if (free == attachments.length) {
            attachments = java.util.Arrays.copyOf(attachments, attachments.length * 2);
        }
        attachments[free] = type;
        attachments[free + 1] = value;
    }

    /** The body bytes the connection read for this request (counted as they arrive). */
    public void countBytesIn(long n) {
        log.addBytesIn(n);
    }

    /** Bytes written to the client outside a response body (a tunnel's). */
    public void countBytesOut(long n) {
        log.addBytesOut(n);
    }
}
