package dev.caravan.forward;

import dev.caravan.balance.Backend;
import dev.caravan.balance.Upstream;
import dev.caravan.health.HealthChecks;
import dev.caravan.health.HealthSettings;
import dev.caravan.http.BodySource;
import dev.caravan.http.GatewayException;
import dev.caravan.http.MessageHeaders;
import dev.caravan.http.ProxyRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns the route's message (method, target, headers as the route left them) into a backend request, picks a
 * backend from the {@link Upstream}, and runs a {@link ForwardCall} on the client connection's event loop. The body
 * is passed as a stream handle, never as bytes.
 *
 * <p>Retries follow one rule: a request that never reached a backend (connect refused or timed out) is tried on the
 * next backend whatever its method; one that was sent is retried only if it is idempotent and has no streamed body
 * (after a 502/503/504, a response timeout, or a connection closed before the answer). Attempts and a retry budget
 * bound both.
 */
final class ForwardProducer extends DefaultAsyncProducer {

    private final Upstream upstream;
    private final Map<Backend, BackendPool> pools;
    private final Map<Backend, BackendTarget> targets;
    private final TargetRewrite rewrite;
    private final boolean preserveHost;
    private final long responseTimeoutMillis;
    private final Function<Exchange, String> affinityKey;
    private final HealthChecks healthChecks;
    private final HealthSettings healthSettings;
    private final List<String> checks = new ArrayList<>();
    private final String stickyCookie;
    /** A route sets this header to true to let a non-idempotent method without a body be retried on another backend. */
    static final String IDEMPOTENT = "CaravanIdempotent";

    /**
     * @param targets this endpoint's URL for each backend (its base path is this route's; the shared {@link Backend}
     *                is keyed by origin only)
     */
    ForwardProducer(ForwardEndpoint endpoint, Upstream upstream, Map<Backend, BackendPool> pools,
                    Map<Backend, BackendTarget> targets, TargetRewrite rewrite, boolean preserveHost,
                    long responseTimeoutMillis, Function<Exchange, String> affinityKey, HealthChecks healthChecks,
                    HealthSettings healthSettings, String stickyCookie) {
        super(endpoint);
        this.upstream = upstream;
        this.pools = pools;
        this.targets = targets;
        this.rewrite = rewrite;
        this.preserveHost = preserveHost;
        this.responseTimeoutMillis = responseTimeoutMillis;
        this.affinityKey = affinityKey;
        this.healthChecks = healthChecks;
        this.healthSettings = healthSettings;
        this.stickyCookie = stickyCookie;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (healthSettings != null && healthChecks != null) {
            for (Backend backend : upstream.backends()) {
                checks.add(healthChecks.acquire(backend, healthSettings));
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        checks.forEach(healthChecks::release);
        checks.clear();
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyRequest request = exchange.getProperty(ProxyRequest.PROPERTY, ProxyRequest.class);
        if (request == null) {
            exchange.setException(new IllegalStateException(
                    "caravan-forward can only forward a request received by a caravan: endpoint"));
            callback.done(true);
            return true;
        }
        if (!request.channel().isActive()) {
            exchange.setException(new GatewayException(499, "Client closed the connection"));
            callback.done(true);
            return true;
        }
        Forwarding forwarding = new Forwarding(exchange, callback, request);
        EventLoop loop = request.channel().eventLoop();
        if (loop.inEventLoop()) {
            forwarding.attempt();
        } else {
            // a route step moved the exchange to another thread: come back to the connection's loop
            loop.execute(forwarding::attempt);
        }
        return false;
    }

    /** One client request's attempts, on its connection's event loop. */
    private final class Forwarding {
        private final Exchange exchange;
        private final AsyncCallback callback;
        private final ProxyRequest request;
        private final Set<Backend> tried = new HashSet<>(4);
        private final String key;
        private final String method;
        private final String rawTarget;
        private BodySource streamed;
        private byte[] fixed;
        private Backend current;
        private boolean anySent;
        private final String cookieSent;
        private final boolean markedIdempotent;

        Forwarding(Exchange exchange, AsyncCallback callback, ProxyRequest request) {
            this.exchange = exchange;
            this.callback = callback;
            this.request = request;
            Message message = exchange.getMessage();
            this.method = message.getHeader(Exchange.HTTP_METHOD, request.method().name(), String.class);
            this.rawTarget = message.getHeader(Exchange.HTTP_URI, request.rawTarget(), String.class);
            this.key = affinityKey.apply(exchange);
            this.cookieSent = message.getHeader("Cookie", String.class);
            this.markedIdempotent = message.getHeader(IDEMPOTENT, false, Boolean.class);
            upstream.requestStarted();
        }

        void attempt() {
            current = stickyCookie == null ? null
                    : upstream.byId(CookieValue.of(cookieSent, stickyCookie),
                            tried);
            if (current == null) {
                current = upstream.choose(key, tried);
            }
            if (current == null) {
                fail(new BackendsUnavailableException("Every backend is ejected", upstream.secondsUntilOneReturns()));
                return;
            }
            tried.add(current);
            HttpRequest outgoing = outgoing(targets.get(current));
            if (outgoing == null) {
                return; // failed while reading the body the route set
            }
            boolean replayable = replayable();
            boolean retryOn5xx = replayable && upstream.mayRetry(tried.size(), tried);
            new ForwardCall(exchange, this::attemptDone, request, pools.get(current), outgoing, streamed,
                    fixed == null ? null : Unpooled.wrappedBuffer(fixed), responseTimeoutMillis, current, upstream,
                    replayable, retryOn5xx).start();
        }

        private void attemptDone(boolean ignoredSync) {
            Exception failure = exchange.getException();
            boolean backendFault = failure instanceof BackendUnavailableException
                    || failure instanceof BackendTimeoutException || failure instanceof BackendStatusException;
            if (!backendFault) {
                if (failure == null && stickyCookie != null) {
                    pinToCurrent();
                }
                callback.done(false);
                return;
            }
            if (!(failure instanceof BackendStatusException)) {
                upstream.failed(current); // a status was counted when it arrived
            }
            boolean sent = failure instanceof BackendStatusException
                    || (failure instanceof BackendUnavailableException u && u.requestSent())
                    || (failure instanceof BackendTimeoutException t && t.requestSent());
            anySent |= sent;
            boolean allowed = !sent || replayable();
            if (allowed && upstream.mayRetry(tried.size(), tried) && upstream.takeRetry()) {
                exchange.setException(null);
                attempt();
                return;
            }
            if (!anySent && upstream.backends().size() > 1) {
                // no backend of several could even be reached: the service is unavailable, say when to come back
                exchange.setException(new BackendsUnavailableException("No backend reachable: " + failure.getMessage(), 1));
            }
            callback.done(false);
        }

        /** Session affinity: tell the client which backend answered, unless its cookie already says so. */
        private void pinToCurrent() {
            if (current.id().equals(CookieValue.of(cookieSent, stickyCookie))) {
                return;
            }
            Message response = exchange.getMessage();
            String cookie = stickyCookie + "=" + current.id() + "; Path=/; HttpOnly";
            Object existing = response.getHeader("Set-Cookie");
            if (existing == null) {
                response.setHeader("Set-Cookie", cookie);
            } else {
                List<Object> all = new ArrayList<>();
                if (existing instanceof Iterable<?> values) {
                    values.forEach(all::add);
                } else {
                    all.add(existing);
                }
                all.add(cookie);
                response.setHeader("Set-Cookie", all);
            }
        }

        private void fail(Exception failure) {
            exchange.setException(failure);
            callback.done(false);
        }

        /** Safe to send twice: an idempotent method (or one the route marked so) and no streamed body. */
        private boolean replayable() {
            return streamed == null && (markedIdempotent || switch (method) {
                case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
                default -> false;
            });
        }

        private HttpRequest outgoing(BackendTarget target) {
            Message message = exchange.getMessage();
            HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
                    rewrite.apply(rawTarget, target.basePath()), false);
            HttpHeaders headers = outgoing.headers();
            MessageHeaders.toWire(message.getHeaders(), headers);
            if (!preserveHost || !headers.contains(HttpHeaderNames.HOST)) {
                headers.set(HttpHeaderNames.HOST, target.authority());
            }
            ForwardedHeaders.apply(headers, request);
            Object body = message.getBody();
            if (body instanceof BodySource source) {
                if (source == request.body() && request.hasBody()) {
                    if (source.isConsumed()) {
                        fail(new GatewayException(502,
                                "The request body was already sent to another backend; it cannot be sent again"));
                        return null;
                    }
                    streamed = source;
                    // framing comes from what the listener's decoder used, never from headers a route could change
                    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
                    if (HttpUtil.isTransferEncodingChunked(request.head())) {
                        HttpUtil.setTransferEncodingChunked(outgoing, true);
                    } else {
                        HttpUtil.setContentLength(outgoing, HttpUtil.getContentLength(request.head(), 0L));
                    }
                } else {
                    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                }
            } else if (body != null) {
                if (fixed == null) {
                    fixed = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
                    if (fixed == null) {
                        fail(new IllegalArgumentException(
                                "Cannot send a body of type " + body.getClass().getName() + " to a backend"));
                        return null;
                    }
                }
                headers.setInt(HttpHeaderNames.CONTENT_LENGTH, fixed.length);
            } else {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            }
            return outgoing;
        }
    }
}
