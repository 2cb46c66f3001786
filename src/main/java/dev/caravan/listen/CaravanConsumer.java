package dev.caravan.listen;

import dev.caravan.http.Answer;
import dev.caravan.http.BodySource;
import dev.caravan.http.DirectForward;
import dev.caravan.http.DirectStep;
import dev.caravan.http.GatewayException;
import dev.caravan.http.HostHeader;
import dev.caravan.http.HttpBinding;
import dev.caravan.http.ProxyExchange;
import dev.caravan.limits.BodySizeLimit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.processor.ThrottlerRejectedExecutionException;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A route's entry: takes a {@link ProxyExchange} the listener matched to this route, turns it into a Camel exchange
 * through the {@link HttpBinding}, runs the route, and answers with what the route left: a backend response streamed
 * through, an {@link Answer} a step gave, a page the route made, or an error page for a failure.
 *
 * <p>A route that only forwards ({@link ForwardOnlyRoute}) skips the Camel exchange: its requests go straight to the
 * route's {@link DirectForward} and the answer straight back, unless {@code caravan.forward.fastPath=false}.
 */
final class CaravanConsumer extends DefaultConsumer implements RequestHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanConsumer.class);

    private final CaravanEndpoint endpoint;
    private final HttpBinding binding = new HttpBinding();
    private final AtomicInteger inflight = new AtomicInteger();
    // lifecycle (reload drain): requests whose response is still being written
    private final OpenRequests openRequests = new OpenRequests();
    // the fast path of a forward-only route, else null; set before the route is bound to a listener
    private volatile DirectForward direct;
    // the route's deciding steps before its forward, on the fast path (in route order)
    private volatile List<DirectStep> directSteps = List.of();

    CaravanConsumer(CaravanEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        direct = directForward();
        for (Listener listener : endpoint.listeners()) {
            if (endpoint.isGuard()) {
                listener.routes().bindGuard(this, endpoint.host(), endpoint.path(), getRouteId());
            } else {
                listener.routes().bind(this, endpoint.host(), endpoint.path());
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        for (Listener listener : endpoint.listeners()) {
            listener.routes().unbind(this);
        }
        ServiceHelper.stopService(direct);
        direct = null;
        ServiceHelper.stopService(directSteps);
        directSteps = List.of();
        super.doStop();
    }

    /** The route's own forwarder when the route only forwards (and the fast path is on), else null. */
    private DirectForward directForward() throws Exception {
        String enabled = getEndpoint().getCamelContext().getPropertiesComponent()
                .resolveProperty("caravan.forward.fastPath").orElse("true");
        ForwardOnlyRoute.Plan plan = Boolean.parseBoolean(enabled.trim()) && getRoute() != null
                ? ForwardOnlyRoute.of(getRoute()) : null;
        if (plan == null) {
            return null;
        }
        List<DirectStep> steps = new ArrayList<>();
        for (DirectStep.Source source : plan.steps()) {
            DirectStep step = source.directStep();
            if (step == null) {
                return null; // this step's options need the exchange (a rate-limit key from a header, ...)
            }
            steps.add(step);
        }
        DirectForward forward = plan.forward().directForward();
        if (forward != null) {
            ServiceHelper.startService(steps); // the steps that hold files or key sets acquire them now
            directSteps = List.copyOf(steps);
            ServiceHelper.startService(forward);
            LOG.debug("Route {} only forwards: its requests skip the Camel exchange", getRouteId());
        }
        return forward;
    }

    /** True when this route's requests take the fast path (for tests and the status page). */
    boolean forwardsDirectly() {
        return direct != null;
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
    public void handle(ProxyExchange request) {
        openRequests.track(request); // a retired route knows when its last response is out
        request.routeDecided(getRouteId());
        if (endpoint.redirectStatus() != 0 && !request.isSecure()) {
            redirectToHttps(request);
            return;
        }
        if (!withinLimits(request)) {
            return;
        }
        DirectForward forward = direct;
        if (forward != null) {
            if (!answeredByAStep(request)) {
                forwardDirectly(request, forward);
            }
            return;
        }
        run(request, exchange -> reply(request, exchange));
    }

    /**
     * Runs the route's deciding steps in order; true if one answered (as {@link #writeResponse} answers it). Headers
     * the steps edited go on with the request as a guard's do ({@link ProxyExchange#carryHeaders}).
     */
    private boolean answeredByAStep(ProxyExchange request) {
        List<DirectStep> steps = directSteps;
        if (steps.isEmpty()) {
            return false;
        }
        StepMessage message = new StepMessage(request);
        for (DirectStep step : steps) {
            Answer answer;
            try {
                answer = step.decide(request, message);
            } catch (RuntimeException e) {
                respondFailure(request, e);
                return true;
            }
            if (answer != null) {
                respond(request, answer);
                return true;
            }
        }
        if (message.made != null) {
            request.carryHeaders(message.made.getHeaders());
        }
        return false;
    }

    /** The request as a route's message, made when a step first asks for it. */
    private final class StepMessage implements dev.caravan.http.LazyMessage {
        private final ProxyExchange request;
        private Message made;

        StepMessage(ProxyExchange request) {
            this.request = request;
        }

        @Override
        public boolean made() {
            return made != null;
        }

        @Override
        public Message get() {
            if (made == null) {
                made = new org.apache.camel.support.DefaultMessage(getEndpoint().getCamelContext());
                binding.toCamel(request, made);
            }
            return made;
        }
    }

    /** A forward-only route's request: no exchange, the same answers as {@link #writeResponse} gives. */
    private void forwardDirectly(ProxyExchange request, DirectForward forward) {
        inflight.incrementAndGet();
        try {
            forward.forward(request, new DirectReply(request));
        } catch (RuntimeException e) {
            inflight.decrementAndGet();
            respondFailure(request, e);
        }
    }

    private final class DirectReply implements DirectForward.Done {
        private final ProxyExchange request;

        DirectReply(ProxyExchange request) {
            this.request = request;
        }

        // both come on a backend connection's event: the request's log context is put in place around them
        @Override
        public void responded(HttpResponse head, BodySource body) {
            inflight.decrementAndGet();
            request.attachBackendBody(body);
            request.resume(() -> {
                try {
                    request.respond(head, body);
                } catch (RuntimeException e) {
                    LOG.warn("Route {} left a response that cannot be sent: {}", getRouteId(), e.toString());
                    discardBackendBody(request);
                    request.respondError(500);
                }
            });
        }

        @Override
        public void failed(Exception failure) {
            inflight.decrementAndGet();
            request.resume(() -> respondFailure(request, failure));
        }
    }

    /**
     * As a guard: the route runs before route matching; if it answered (an {@link Answer}, a failure, or a status or
     * body it set) that is the response, else the request goes on with the headers the guard left (an identity a
     * check established, a rewritten target) to the next guard and the route.
     */
    @Override
    public void guard(ProxyExchange request, Runnable next) {
        openRequests.track(request);
        if (endpoint.redirectStatus() != 0 && !request.isSecure()) {
            request.routeDecided(getRouteId());
            redirectToHttps(request);
            return;
        }
        run(request, exchange -> {
            if (answered(request, exchange)) {
                request.routeDecided(getRouteId());
                reply(request, exchange);
            } else {
                request.carryHeaders(exchange.getMessage().getHeaders());
                next.run();
            }
        });
    }

    private static boolean answered(ProxyExchange request, Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        return exchange.getException() != null || exchange.getProperty(Answer.PROPERTY) != null
                || message.getHeader(Exchange.HTTP_RESPONSE_CODE) != null
                || (body != null && body != request.requestBody());
    }

    /** Runs the route for {@code request}; {@code done} gets the finished exchange on the request's event loop. */
    private void run(ProxyExchange request, java.util.function.Consumer<Exchange> done) {
        Exchange exchange = createExchange(false);
        exchange.setProperty(ProxyExchange.PROPERTY, request);
        binding.toCamel(request, exchange.getIn());
        inflight.incrementAndGet();
        try {
            getAsyncProcessor().process(exchange, doneSync -> {
                inflight.decrementAndGet();
                if (request.eventLoop().inEventLoop()) {
                    done.accept(exchange);
                    return;
                }
                try {
                    request.eventLoop().execute(() -> done.accept(exchange));
                } catch (RejectedExecutionException e) {
                    // the I/O threads are gone (shutdown): the connection is closing, only free what the route holds
                    BodySource backendBody = request.backendBody();
                    if (backendBody != null) {
                        backendBody.discard();
                    }
                }
            });
        } catch (RuntimeException e) {
            inflight.decrementAndGet();
            exchange.setException(e);
            done.accept(exchange);
        }
    }

    /**
     * The route's limits, before it runs: too many requests at once is 503; an announced body over the size limit is
     * 413 at once; a body of unannounced size is cut at the limit while it streams.
     */
    private boolean withinLimits(ProxyExchange request) {
        int maxConcurrent = endpoint.maxConcurrent();
        if (maxConcurrent > 0 && inflight.get() >= maxConcurrent) {
            request.respondError(503, new io.netty.handler.codec.http.DefaultHttpHeaders()
                    .setInt(HttpHeaderNames.RETRY_AFTER, 1));
            return false;
        }
        long maxBody = endpoint.maxBodyBytes(listenerOf(request));
        if (maxBody > 0 && request.hasBody()) {
            if (io.netty.handler.codec.http.HttpUtil.getContentLength(request.head(), -1L) > maxBody) {
                request.respondError(413);
                return false;
            }
            request.decorateRequestBody((head, body) -> new BodySizeLimit(body, maxBody));
        }
        return true;
    }

    private ListenerConfig listenerOf(ProxyExchange request) {
        for (Listener listener : endpoint.listeners()) {
            if (listener.name().equals(request.client().listener())) {
                return listener.config();
            }
        }
        return endpoint.listeners().get(0).config();
    }

    /** Same host and target on the https listener; the route does not run, so nothing reaches a backend in clear. */
    private void redirectToHttps(ProxyExchange request) {
        String host = HostHeader.hostOf(request.head().headers().get(HttpHeaderNames.HOST));
        if (host.isEmpty()) {
            request.respondError(400); // HTTP/1.0 without Host: no name to redirect to
            return;
        }
        int port = endpoint.httpsPort();
        String target = request.rawTarget().startsWith("/") ? request.rawTarget() : "/";
        HttpResponse head = new DefaultHttpResponse(request.version(), HttpResponseStatus.valueOf(endpoint.redirectStatus()));
        head.headers().set(HttpHeaderNames.LOCATION, "https://" + host + (port == 443 ? "" : ":" + port) + target);
        request.respond(head, Unpooled.EMPTY_BUFFER);
    }

    private void reply(ProxyExchange request, Exchange exchange) {
        try {
            writeResponse(request, exchange);
        } catch (RuntimeException e) {
            // e.g. a route set a header value Netty refuses (CR/LF): answer 500 rather than leave the client waiting
            LOG.warn("Route {} left a response that cannot be sent: {}", exchange.getFromRouteId(), e.toString());
            discardBackendBody(request);
            request.respondError(500);
        }
    }

    private void writeResponse(ProxyExchange request, Exchange exchange) {
        if (request.hasResponded()) {
            // a step answered through ProxyExchange.respond itself (a cache hit, an idempotent replay)
            discardBackendBody(request);
            return;
        }
        Answer answer = exchange.getProperty(Answer.PROPERTY, Answer.class);
        Exception failure = exchange.getException();
        if (answer == null && failure instanceof GatewayException g) {
            answer = g.answer();
        }
        if (answer != null) {
            discardBackendBody(request);
            respond(request, answer);
            return;
        }
        if (failure != null) {
            respondFailure(request, failure);
            return;
        }
        Message message = exchange.getMessage();
        Object body = message.getBody();
        Integer code = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        BodySource backendBody = request.backendBody();
        if (body instanceof BodySource source && source == backendBody) {
            request.respond(binding.toClient(message, request, code == null ? 200 : code, true), source);
            return;
        }
        discardBackendBody(request);
        if (code == null && (body == null || body == request.requestBody())) {
            request.respondError(404); // the route neither forwarded nor answered: nothing handles this request
            return;
        }
        int status = code == null ? 200 : code;
        HttpResponse head = binding.toClient(message, request, status, backendBody != null);
        if (body == null || body instanceof BodySource) {
            if (status >= 400) {
                request.respondError(status, head.headers()); // an error status alone gets the gateway's page
            } else {
                request.respond(head, Unpooled.EMPTY_BUFFER);
            }
            return;
        }
        byte[] bytes = exchange.getContext().getTypeConverter().tryConvertTo(byte[].class, exchange, body);
        if (bytes == null) {
            LOG.warn("Route {} left a body of type {} that cannot be sent", exchange.getFromRouteId(),
                    body.getClass().getName());
            request.respondError(500);
            return;
        }
        request.respond(head, Unpooled.wrappedBuffer(bytes));
    }

    /** The route failed (no answer from a step): the failure's status, or 500 and a log line for anything else. */
    private void respondFailure(ProxyExchange request, Exception failure) {
        discardBackendBody(request);
        // Camel's throttle EIP rejects with this exception: a limit, not a failure, so 429 and no log line
        int status = failure instanceof GatewayException g ? g.status()
                : failure instanceof ThrottlerRejectedExecutionException ? 429 : 500;
        if (status >= 500) {
            LOG.warn("Route {} failed for {} {}: {}", getRouteId(), request.method(), request.rawTarget(),
                    failure.toString());
        }
        request.respondError(status, failure instanceof GatewayException g ? g.responseHeaders() : null);
    }

    private static void respond(ProxyExchange request, Answer answer) {
        if (answer.body() == null && answer.status() >= 400) {
            request.respondError(answer.status(), answer.headers());
            return;
        }
        HttpResponse head = new DefaultHttpResponse(request.version(), HttpResponseStatus.valueOf(answer.status()));
        head.headers().set(answer.headers());
        ByteBuf content = answer.body() == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body());
        request.respond(head, content);
    }

    private static void discardBackendBody(ProxyExchange request) {
        BodySource backendBody = request.backendBody();
        if (backendBody != null) {
            backendBody.discard();
        }
    }
}
