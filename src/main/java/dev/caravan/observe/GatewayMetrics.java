package dev.caravan.observe;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.http.RequestLog.Outcome;
import dev.caravan.listen.Listener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request meters, filled from each exchange's {@link RequestLog} once it has finished (one place, one read
 * of the log, on the exchange's event loop). Labels are bounded: listener and route names come from configuration
 * (a route's temporary reload id {@code app~g3} counts as {@code app}), methods outside the standard ones count as
 * {@code other}, statuses as classes ({@code 2xx}), backends by their configured origin; never a path or a client
 * address.
 *
 * <p>Cost: every request touches these, on two or more event loops at once. So the counters and histograms a request
 * adds to are per-thread rows ({@link ThreadShards}, {@link StripedHistogram}) summed when scraped, and the Micrometer
 * meters over them are function counters registered by {@link #refresh()} (before each scrape) for every series that
 * has counted something. A request costs a few map reads and a dozen stores into memory only its thread writes.
 */
public final class GatewayMetrics {

    /** Buckets for request and backend durations: 1 ms to 60 s, denser where proxied requests usually fall. */
    static final Duration[] DURATION_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
            "CONNECT", "other"};
    private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    /** How a backend attempt ended: the {@code ForwardOutcome.Kind} names, and anything else. */
    private static final String[] ATTEMPT_RESULTS = {"RESPONDED", "RETRYABLE_STATUS", "CONNECT_FAILED",
            "CONNECT_TIMEOUT", "CLOSED_BEFORE_HEAD", "INVALID_RESPONSE", "RESPONSE_TIMEOUT", "CLIENT_GONE",
            "REQUEST_BODY_FAILED", "OTHER"};
    static final String NO_ROUTE = "none";

    // a route's row: requests by method and status class, then bytes in, bytes out, retries, failed responses
    private static final int REQUEST_SLOTS = METHODS.length * STATUS_CLASSES.length;
    private static final int BYTES_IN = REQUEST_SLOTS;
    private static final int BYTES_OUT = REQUEST_SLOTS + 1;
    private static final int RETRIES = REQUEST_SLOTS + 2;
    private static final int SERVER_ERRORS = REQUEST_SLOTS + 3;
    private static final int ROUTE_SLOTS = REQUEST_SLOTS + 4;

    private final MeterRegistry registry;
    private final StripedHistogram requestDurations = new StripedHistogram("caravan_request_duration_seconds",
            "From the request head to the last response byte written (or the failure)", DURATION_BUCKETS,
            "listener", "route");
    private final StripedHistogram backendDurations = new StripedHistogram("caravan_backend_duration_seconds",
            "From the request sent to the backend to its response head", DURATION_BUCKETS, "backend");
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<String, BackendMeters> backends = new ConcurrentHashMap<>();

    /** @param prometheus the Prometheus registry under {@code registry}, for the two duration histograms */
    public GatewayMetrics(MeterRegistry registry, PrometheusRegistry prometheus) {
        this.registry = registry;
        prometheus.register(requestDurations);
        prometheus.register(backendDurations);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Requests finished since start, all listeners (status page). */
    public long requestsTotal() {
        long sum = 0;
        for (ListenerMeters listener : listeners.values()) {
            for (RouteMeters route : listener.routes.values()) {
                for (int slot = 0; slot < REQUEST_SLOTS; slot++) {
                    sum += route.row.sum(slot);
                }
            }
        }
        return sum;
    }

    /** Requests finished with a 5xx or without a complete response (status page). */
    public long errorsTotal() {
        long sum = 0;
        for (ListenerMeters listener : listeners.values()) {
            for (RouteMeters route : listener.routes.values()) {
                sum += route.row.sum(SERVER_ERRORS);
            }
        }
        return sum;
    }

    /** Registers a listener's connection meters; its per-request meters follow as requests finish. */
    public void listener(Listener listener) {
        String name = listener.name();
        listenerMeters(name);
        Gauge.builder("caravan.connections.open", listener, Listener::openConnections).tag("listener", name)
                .description("Client connections open").register(registry);
        FunctionCounter.builder("caravan.connections.accepted", listener, Listener::acceptedConnections)
                .tag("listener", name).description("Client connections accepted").register(registry);
        FunctionCounter.builder("caravan.connections.closed", listener, Listener::closedConnections)
                .tag("listener", name).description("Client connections closed").register(registry);
        FunctionCounter.builder("caravan.rejections", listener, Listener::refusedConnections)
                .tags("listener", name, "reason", "connection_limit", "status", "none")
                .description("Requests and connections the gateway refused, by reason").register(registry);
    }

    /** A request started on {@code listener}. */
    void started(String listener) {
        listenerMeters(listener).inflight.increment();
    }

    /** A request finished: everything is read from its complete request log. */
    void finished(ProxyExchange exchange) {
        RequestLog log = exchange.log();
        ListenerMeters listener = listenerMeters(exchange.client().listener());
        listener.inflight.decrement();
        RouteMeters route = listener.route(routeLabel(log.routeId()));
        int status = log.status();
        int statusClass = status >= 100 && status < 600 ? status / 100 : 0;
        AtomicLongArray row = route.row.mine();
        ThreadShards.add(row, methodIndex(exchange.method().name()) * STATUS_CLASSES.length + statusClass, 1);
        if (log.bytesIn() > 0) {
            ThreadShards.add(row, BYTES_IN, log.bytesIn());
        }
        if (log.bytesOut() > 0) {
            ThreadShards.add(row, BYTES_OUT, log.bytesOut());
        }
        if (log.attempts() > 1) {
            ThreadShards.add(row, RETRIES, log.attempts() - 1);
        }
        if (status >= 500 || (log.outcome() != Outcome.COMPLETED && log.outcome() != Outcome.REFUSED)) {
            ThreadShards.add(row, SERVER_ERRORS, 1);
        }
        route.duration.record(log.durationNanos());
        List<RequestLog.Attempt> attempts = log.attemptResults();
        for (int i = 0; i < attempts.size(); i++) {
            RequestLog.Attempt attempt = attempts.get(i);
            BackendMeters backend = backendMeters(attempt.origin());
            ThreadShards.add(backend.attempts.mine(), attemptIndex(attempt.result()), 1);
        }
        long backendNanos = log.backendNanos();
        if (backendNanos >= 0 && log.backend() != null) {
            backendMeters(log.backend()).duration.record(backendNanos);
        }
        String reason = rejection(log);
        if (reason != null) {
            listener.rejection(reason, status).increment();
        }
        if (log.grpcStatus() >= 0) {
            route.grpc(log.grpcStatus()).increment();
        }
    }

    /**
     * Registers a function counter for every series that has counted something and has none yet. Called before each
     * scrape (on the admin thread), so a series appears once it has a value, and the request path never registers.
     */
    void refresh() {
        for (ListenerMeters listener : listeners.values()) {
            for (RouteMeters route : listener.routes.values()) {
                route.registerNew();
            }
        }
        for (BackendMeters backend : backends.values()) {
            backend.registerNew();
        }
    }

    /**
     * Why the gateway itself turned the request away, or null: malformed (refused before any route), or an answer a
     * route gave without any backend attempt: 429 (rate limits), 401/403 (access rules), 413 (body limits), 408
     * (a client too slow with its body).
     */
    static String rejection(RequestLog log) {
        if (log.outcome() == Outcome.REFUSED) {
            return "malformed";
        }
        if (log.attempts() > 0) {
            return null;
        }
        return switch (log.status()) {
            case 429 -> "rate_limit";
            case 401, 403 -> "access";
            case 413 -> "body_too_large";
            case 408 -> "client_timeout";
            default -> null;
        };
    }

    /** A route's Camel id without the temporary reload suffix; {@code none} when no route took the request. */
    static String routeLabel(String routeId) {
        if (routeId == null) {
            return NO_ROUTE;
        }
        int tilde = routeId.indexOf('~');
        return tilde < 0 ? routeId : routeId.substring(0, tilde);
    }

    static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "PATCH" -> 5;
            case "OPTIONS" -> 6;
            case "TRACE" -> 7;
            case "CONNECT" -> 8;
            default -> 9;
        };
    }

    static int attemptIndex(String result) {
        for (int i = 0; i < ATTEMPT_RESULTS.length - 1; i++) {
            if (ATTEMPT_RESULTS[i].equals(result)) {
                return i;
            }
        }
        return ATTEMPT_RESULTS.length - 1;
    }

    private ListenerMeters listenerMeters(String name) {
        ListenerMeters meters = listeners.get(name);
        return meters != null ? meters : listeners.computeIfAbsent(name, ListenerMeters::new);
    }

    private BackendMeters backendMeters(String origin) {
        BackendMeters meters = backends.get(origin);
        return meters != null ? meters : backends.computeIfAbsent(origin, BackendMeters::new);
    }

    private final class ListenerMeters {
        final String name;
        /** Striped: every event loop adds and subtracts, the gauge sums (a shared atomic would bounce between cores). */
        final LongAdder inflight = new LongAdder();
        final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
        final Map<String, Counter> rejections = new ConcurrentHashMap<>();

        ListenerMeters(String name) {
            this.name = name;
            Gauge.builder("caravan.requests.inflight", inflight, LongAdder::sum).tag("listener", name)
                    .description("Requests started and not yet finished (response not yet fully written)")
                    .register(registry);
        }

        RouteMeters route(String route) {
            RouteMeters meters = routes.get(route);
            return meters != null ? meters : routes.computeIfAbsent(route, r -> new RouteMeters(name, r));
        }

        /** Rejections are the exception, not the rule: a plain Micrometer counter is fine here. */
        Counter rejection(String reason, int status) {
            String key = reason + status;
            Counter counter = rejections.get(key);
            return counter != null ? counter : rejections.computeIfAbsent(key, k -> Counter.builder("caravan.rejections")
                    .tags("listener", name, "reason", reason, "status", Integer.toString(status))
                    .description("Requests and connections the gateway refused, by reason").register(registry));
        }
    }

    private final class RouteMeters {
        final String listener;
        final String route;
        /** gRPC calls by the grpc-status the client got (17 codes at most per route). */
        final Map<Integer, Counter> grpc = new ConcurrentHashMap<>();

        Counter grpc(int status) {
            Counter counter = grpc.get(status);
            return counter != null ? counter : grpc.computeIfAbsent(status, s -> Counter.builder("caravan.grpc.calls")
                    .tags("listener", listener, "route", route, "grpc_status", Integer.toString(s))
                    .description("gRPC calls by the grpc-status the client got").register(registry));
        }
        final ThreadShards row = new ThreadShards(ROUTE_SLOTS);
        final StripedHistogram.Series duration;
        private final boolean[] registered = new boolean[REQUEST_SLOTS];

        RouteMeters(String listener, String route) {
            this.listener = listener;
            this.route = route;
            this.duration = requestDurations.series(listener, route);
            FunctionCounter.builder("caravan.request.body", row, r -> r.sum(BYTES_IN)).baseUnit("bytes")
                    .tags("listener", listener, "route", route)
                    .description("Request body bytes received from clients").register(registry);
            FunctionCounter.builder("caravan.response.body", row, r -> r.sum(BYTES_OUT)).baseUnit("bytes")
                    .tags("listener", listener, "route", route)
                    .description("Response body bytes written to clients").register(registry);
            FunctionCounter.builder("caravan.backend.retries", row, r -> r.sum(RETRIES))
                    .tags("listener", listener, "route", route)
                    .description("Backend attempts beyond the first, per request").register(registry);
        }

        /** On the admin thread only. */
        void registerNew() {
            for (int slot = 0; slot < REQUEST_SLOTS; slot++) {
                if (!registered[slot] && row.sum(slot) > 0) {
                    int s = slot;
                    FunctionCounter.builder("caravan.requests", row, r -> r.sum(s))
                            .tags("listener", listener, "route", route,
                                    "method", METHODS[slot / STATUS_CLASSES.length],
                                    "status", STATUS_CLASSES[slot % STATUS_CLASSES.length])
                            .description("Requests finished, by listener, route, method and status class")
                            .register(registry);
                    registered[slot] = true;
                }
            }
        }
    }

    private final class BackendMeters {
        final String origin;
        final StripedHistogram.Series duration;
        final ThreadShards attempts = new ThreadShards(ATTEMPT_RESULTS.length);
        private final boolean[] registered = new boolean[ATTEMPT_RESULTS.length];

        BackendMeters(String origin) {
            this.origin = origin;
            this.duration = backendDurations.series(origin);
        }

        /** On the admin thread only. */
        void registerNew() {
            for (int slot = 0; slot < ATTEMPT_RESULTS.length; slot++) {
                if (!registered[slot] && attempts.sum(slot) > 0) {
                    int s = slot;
                    FunctionCounter.builder("caravan.backend.attempts", attempts, a -> a.sum(s))
                            .tags("backend", origin, "result", ATTEMPT_RESULTS[slot].toLowerCase(Locale.ROOT))
                            .description("Backend attempts by how they ended: responded, connect_failed, "
                                    + "connect_timeout, response_timeout, closed_before_head, invalid_response, "
                                    + "retryable_status, ...")
                            .register(registry);
                    registered[slot] = true;
                }
            }
        }
    }
}
