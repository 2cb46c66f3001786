package dev.caravan.forward;

import dev.caravan.balance.Backend;
import dev.caravan.balance.Upstream;
import dev.caravan.forward.ForwardOutcome.Kind;
import dev.caravan.health.HealthChecks;
import dev.caravan.health.HealthSettings;
import dev.caravan.http.DirectForward;
import dev.caravan.http.HttpBinding;
import dev.caravan.http.HttpBinding.BackendRequest;
import dev.caravan.http.ProxyExchange;
import dev.caravan.rewrite.BackendAddressRewrite;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Turns the route's message into a backend request (through the {@link HttpBinding}), picks a backend from the
 * {@link Upstream}, and runs {@link ForwardCall}s on the client connection's event loop until one brings a response or
 * the retry rule says stop. The body is passed as a stream handle, never as bytes.
 *
 * <p>The retry rule, in one place ({@link Forwarding#ended}): a request that never reached a backend (connect refused
 * or timed out) is tried on the next backend whatever its method; one that was sent is retried only if it is
 * replayable (idempotent, or marked so by the route, and without a streamed body) after a 502/503/504, a response
 * timeout, an invalid answer or a connection closed before the answer. Attempts and a retry budget bound both.
 *
 * <p>A forward-only route calls {@link #forward(ProxyExchange, Done)} instead, with no Camel exchange: the same
 * attempts, the same rule, heads copied from client to backend and back by the binding (see {@link DirectForward}).
 */
final class ForwardProducer extends DefaultAsyncProducer implements DirectForward {

    /** A route sets this header to true to let a non-idempotent method without a body be retried on another backend. */
    static final String IDEMPOTENT = "CaravanIdempotent";

    private final HttpBinding binding = new HttpBinding();
    private final Upstream upstream;
    private final Map<Backend, ConnectionSource> pools;
    private final Map<Backend, BackendTarget> targets;
    private final TargetRewrite rewrite;
    private final boolean preserveHost;
    private final boolean emitForwarded;
    private final long responseTimeoutMillis;
    private final long websocketIdleTimeoutMillis;
    private final Function<Exchange, String> affinityKey;
    private final HealthChecks healthChecks;
    private final HealthSettings healthSettings;
    private final List<String> checks = new ArrayList<>();
    private final String stickyCookie;
    /** Per backend: its own addresses in Location and cookies, rewritten to the client's; null when off. */
    private final Map<Backend, BackendAddressRewrite> addresses;

    /**
     * @param targets this endpoint's URL for each backend (its base path is this route's; the shared {@link Backend}
     *                is keyed by origin only)
     */
    ForwardProducer(ForwardEndpoint endpoint, Upstream upstream, Map<Backend, ConnectionSource> pools,
                    Map<Backend, BackendTarget> targets, TargetRewrite rewrite, Function<Exchange, String> affinityKey,
                    HealthChecks healthChecks, HealthSettings healthSettings) {
        super(endpoint);
        ForwardConfiguration configuration = endpoint.getConfiguration();
        this.upstream = upstream;
        this.pools = pools;
        this.targets = targets;
        this.rewrite = rewrite;
        this.preserveHost = configuration.isPreserveHost();
        this.emitForwarded = configuration.isForwarded();
        this.responseTimeoutMillis = configuration.getResponseTimeout();
        this.websocketIdleTimeoutMillis = configuration.getWebsocketIdleTimeout();
        this.affinityKey = affinityKey;
        this.healthChecks = healthChecks;
        this.healthSettings = healthSettings;
        this.stickyCookie = configuration.getStickyCookie().isBlank() ? null : configuration.getStickyCookie();
        if (configuration.isRewriteRedirects() || !configuration.getCookieDomain().isBlank()
                || !configuration.getCookiePath().isBlank()) {
            this.addresses = new java.util.IdentityHashMap<>();
            String prefix = configuration.getStripPrefix().endsWith("/")
                    ? configuration.getStripPrefix().substring(0, configuration.getStripPrefix().length() - 1)
                    : configuration.getStripPrefix();
            targets.forEach((backend, target) -> addresses.put(backend, new BackendAddressRewrite(
                    configuration.isRewriteRedirects() ? target.originSpellings() : java.util.List.of(),
                    configuration.isRewriteRedirects() ? target.basePath() : "",
                    prefix, BackendAddressRewrite.mapping("cookieDomain", configuration.getCookieDomain()),
                    BackendAddressRewrite.mapping("cookiePath", configuration.getCookiePath()))));
        } else {
            this.addresses = null;
        }
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
        ProxyExchange request = ProxyExchange.of(exchange);
        if (request == null) {
            exchange.setException(new IllegalStateException(
                    "caravan-forward can only forward a request received by a caravan: endpoint"));
            callback.done(true);
            return true;
        }
        if (!request.channel().isActive()) {
            exchange.setException(new ForwardFailure(499, "Client closed the connection"));
            callback.done(true);
            return true;
        }
        Forwarding forwarding = new Forwarding(exchange, callback, request);
        EventLoop loop = request.eventLoop();
        if (loop.inEventLoop()) {
            forwarding.attempt();
            return false;
        }
        // a route step moved the exchange to another thread: come back to the connection's loop
        try {
            loop.execute(forwarding::attempt);
        } catch (RejectedExecutionException e) {
            // the I/O threads are shutting down: answer now rather than leave the exchange hanging
            exchange.setException(new ForwardFailure(503, "Shutting down"));
            callback.done(true);
            return true;
        }
        return false;
    }

    /** A forward-only route's request, with no Camel exchange (the endpoint made this producer for it). */
    @Override
    public void forward(ProxyExchange request, Done done) {
        if (!request.channel().isActive()) {
            done.failed(new ForwardFailure(499, "Client closed the connection"));
            return;
        }
        Forwarding forwarding = new Forwarding(request, done);
        EventLoop loop = request.eventLoop();
        if (loop.inEventLoop()) {
            forwarding.attempt();
            return;
        }
        try {
            loop.execute(forwarding::attempt); // not on the connection's loop (the consumer normally calls from it)
        } catch (RejectedExecutionException e) {
            done.failed(new ForwardFailure(503, "Shutting down"));
        }
    }

    /**
     * One client request's attempts, on its connection's event loop: from a route's exchange, or (no exchange, a
     * forward-only route) straight from the {@link ProxyExchange} with the answer going to a {@link Done}.
     */
    private final class Forwarding implements ForwardCall.Listener {
        private final Exchange exchange;
        private final AsyncCallback callback;
        private final Done done;
        private final ProxyExchange request;
        /** Backends tried so far; most requests need one attempt, so a set is made only for a second. */
        private Set<Backend> tried = Set.of();
        private final String key;
        private final String cookieSent;
        private final boolean markedIdempotent;
        private BackendRequest outgoing;
        private Backend current;
        private boolean anySent;

        Forwarding(Exchange exchange, AsyncCallback callback, ProxyExchange request) {
            this.exchange = exchange;
            this.callback = callback;
            this.done = null;
            this.request = request;
            Message message = exchange.getMessage();
            this.key = affinityKey.apply(exchange);
            this.cookieSent = message.getHeader("Cookie", String.class);
            this.markedIdempotent = message.getHeader(IDEMPOTENT, false, Boolean.class);
            upstream.requestStarted();
        }

        /** Only for an endpoint whose options need nothing from an exchange ({@link ForwardEndpoint#directForward}). */
        Forwarding(ProxyExchange request, Done done) {
            this.exchange = null;
            this.callback = null;
            this.done = done;
            this.request = request;
            this.key = request.clientIp(); // hashKey=client-ip, or a policy that ignores the key
            this.cookieSent = null;        // no sticky cookie
            // the header is internal: only a step could set it, here a guard route the request passed
            this.markedIdempotent = request.carriedHeaders() != null
                    && Boolean.parseBoolean(String.valueOf(request.carriedHeaders().get(IDEMPOTENT)));
            upstream.requestStarted();
        }

        void attempt() {
            current = stickyCookie == null ? null : upstream.byId(CookieValue.of(cookieSent, stickyCookie), tried);
            if (current == null) {
                current = upstream.choose(key, tried);
            }
            if (current == null) {
                fail(new BackendsUnavailableException("Every backend is ejected", upstream.secondsUntilOneReturns()));
                return;
            }
            if (tried.isEmpty()) {
                tried = Set.of(current);
            } else {
                Set<Backend> more = new HashSet<>(tried);
                more.add(current);
                tried = more;
            }
            BackendTarget target = targets.get(current);
            try {
                outgoing = exchange == null
                        ? binding.toBackend(request, rewrite.apply(binding.targetOf(request), target.basePath()),
                                target.authority(), preserveHost, emitForwarded)
                        : binding.toBackend(exchange, request, rewrite.apply(binding.targetOf(exchange.getMessage(),
                                request), target.basePath()), target.authority(), preserveHost, emitForwarded);
            } catch (RuntimeException e) {
                fail(e); // a header value that cannot be sent, or a body that cannot be converted: 500, logged
                return;
            }
            if (outgoing.streamed() != null && outgoing.streamed().isConsumed()) {
                fail(new ForwardFailure(502, "The request body was already sent to another backend; it cannot be sent"
                        + " again"));
                return;
            }
            request.log().attemptStarted(current.target().origin());
            new ForwardCall(request, pools.get(current), outgoing.head(), outgoing.streamed(),
                    outgoing.fixed() == null ? null : Unpooled.wrappedBuffer(outgoing.fixed()), responseTimeoutMillis,
                    current, replayable(), this).upgradeIdleTimeout(websocketIdleTimeoutMillis).start();
        }

        /** Decided when the 5xx arrives, so a budget token taken here is spent on the retry that replaces it. */
        @Override
        public boolean retryInstead(int status) {
            return replayable() && upstream.mayRetry(tried.size(), tried) && upstream.takeRetry();
        }

        @Override
        public void interim(HttpResponse interim) {
            request.interim(binding.interimForClient(interim, request.version()));
        }

        @Override
        public void ended(ForwardOutcome outcome) {
            request.log().attemptEnded(outcome.kind().name()); // observe: per-backend attempt metrics
            if (outcome.kind() == Kind.RESPONDED) {
                upstream.responded(current, outcome.status());
                if (exchange == null) {
                    respondDirect(outcome);
                    return;
                }
                Message message = exchange.getMessage();
                binding.backendResponseToCamel(outcome.response(), outcome.body(), message);
                request.attachBackendBody(outcome.body());
                if (addresses != null) {
                    String host = request.head().headers().get(HttpHeaderNames.HOST);
                    if (host != null) {
                        addresses.get(current).apply(message.getHeaders(), request.isSecure() ? "https" : "http", host);
                    }
                }
                if (stickyCookie != null) {
                    pinToCurrent(message);
                }
                callback.done(false);
                return;
            }
            if (!outcome.backendFault()) {
                fail(new ForwardFailure(outcome.clientStatus(), outcome.detail()));
                return;
            }
            if (outcome.kind() == Kind.RETRYABLE_STATUS) {
                upstream.responded(current, outcome.status());
                anySent = true;
                attempt(); // the retry was committed to (and its budget taken) when the status arrived
                return;
            }
            upstream.failed(current);
            anySent |= outcome.requestSent();
            boolean allowed = !outcome.requestSent() || replayable();
            if (allowed && upstream.mayRetry(tried.size(), tried) && upstream.takeRetry()) {
                attempt();
                return;
            }
            if (!anySent && upstream.backends().size() > 1) {
                // no backend of several could even be reached: the service is unavailable, say when to come back
                fail(new BackendsUnavailableException("No backend reachable: " + outcome.detail(), 1));
                return;
            }
            fail(new ForwardFailure(outcome.clientStatus(), outcome.detail()));
        }

        private void respondDirect(ForwardOutcome outcome) {
            HttpResponse head = binding.relayToClient(outcome.response(), request);
            if (addresses != null) {
                String host = request.head().headers().get(HttpHeaderNames.HOST);
                if (host != null) {
                    addresses.get(current).apply(head.headers(), request.isSecure() ? "https" : "http", host);
                }
            }
            done.responded(head, outcome.body());
        }

        /** Session affinity: tell the client which backend answered, unless its cookie already says so. */
        private void pinToCurrent(Message response) {
            if (current.id().equals(CookieValue.of(cookieSent, stickyCookie))) {
                return;
            }
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
            if (exchange == null) {
                done.failed(failure);
                return;
            }
            exchange.setException(failure);
            callback.done(false);
        }

        /** Safe to send twice: an idempotent method (or one the route marked so) and no streamed body. */
        private boolean replayable() {
            if (outgoing != null && outgoing.streamed() != null) {
                return false;
            }
            String method = exchange == null ? binding.methodOf(request)
                    : exchange.getMessage().getHeader(Exchange.HTTP_METHOD, request.method().name(), String.class);
            return markedIdempotent || switch (method) {
                case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
                default -> false;
            };
        }
    }
}
