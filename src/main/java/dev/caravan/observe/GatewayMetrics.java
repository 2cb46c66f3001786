package dev.caravan.observe;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.http.RequestLog.Outcome;
import dev.caravan.listen.Listener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request meters, filled from each exchange's {@link RequestLog} once it has finished (one place, one read
 * of the log, on the exchange's event loop). Labels are bounded: listener and route names come from configuration
 * (a route's temporary reload id {@code app~g3} counts as {@code app}), methods outside the standard ones count as
 * {@code other}, statuses as classes ({@code 2xx}), backends by their configured origin; never a path or a client
 * address. Meters are looked up once per listener/route/backend and cached, so a request costs a few map reads and
 * counter increments.
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
    static final String NO_ROUTE = "none";

    private final MeterRegistry registry;
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
    private final Map<String, BackendMeters> backends = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder serverErrors = new LongAdder();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Requests finished since start, all listeners (status page). */
    public long requestsTotal() {
        return requests.sum();
    }

    /** Requests finished with a 5xx or without a complete response (status page). */
    public long errorsTotal() {
        return serverErrors.sum();
    }

    /** Registers a listener's connection meters; its per-request meters follow as requests finish. */
    public void listener(Listener listener) {
        String name = listener.name();
        ListenerMeters meters = listenerMeters(name);
        Gauge.builder("caravan.connections.open", listener, Listener::openConnections).tag("listener", name)
                .description("Client connections open").register(registry);
        FunctionCounter.builder("caravan.connections.accepted", listener, Listener::acceptedConnections)
                .tag("listener", name).description("Client connections accepted").register(registry);
        FunctionCounter.builder("caravan.connections.closed", listener, Listener::closedConnections)
                .tag("listener", name).description("Client connections closed").register(registry);
        FunctionCounter.builder("caravan.rejections", listener, Listener::refusedConnections)
                .tags("listener", name, "reason", "connection_limit", "status", "none")
                .description("Requests and connections the gateway refused, by reason").register(registry);
        meters.inflight.get();
    }

    /** A request started on {@code listener}. */
    void started(String listener) {
        listenerMeters(listener).inflight.incrementAndGet();
    }

    /** A request finished: everything is read from its complete request log. */
    void finished(ProxyExchange exchange) {
        RequestLog log = exchange.log();
        ListenerMeters listener = listenerMeters(exchange.client().listener());
        listener.inflight.decrementAndGet();
        RouteMeters route = listener.route(routeLabel(log.routeId()));
        int status = log.status();
        int statusClass = status >= 100 && status < 600 ? status / 100 : 0;
        route.requests(methodIndex(exchange.method().name()), statusClass).increment();
        route.duration.record(log.durationNanos(), TimeUnit.NANOSECONDS);
        if (log.bytesIn() > 0) {
            route.bytesIn.increment(log.bytesIn());
        }
        if (log.bytesOut() > 0) {
            route.bytesOut.increment(log.bytesOut());
        }
        if (log.attempts() > 1) {
            route.retries.increment(log.attempts() - 1);
        }
        for (RequestLog.Attempt attempt : log.attemptResults()) {
            backendMeters(attempt.origin()).attempt(attempt.result()).increment();
        }
        long backendNanos = log.backendNanos();
        if (backendNanos >= 0 && log.backend() != null) {
            backendMeters(log.backend()).duration.record(backendNanos, TimeUnit.NANOSECONDS);
        }
        String reason = rejection(log);
        if (reason != null) {
            listener.rejection(reason, status).increment();
        }
        requests.increment();
        if (status >= 500 || (log.outcome() != Outcome.COMPLETED && log.outcome() != Outcome.REFUSED)) {
            serverErrors.increment();
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
        final AtomicLong inflight = new AtomicLong();
        final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
        final Map<String, Counter> rejections = new ConcurrentHashMap<>();

        ListenerMeters(String name) {
            this.name = name;
            Gauge.builder("caravan.requests.inflight", inflight, AtomicLong::get).tag("listener", name)
                    .description("Requests started and not yet finished (response not yet fully written)")
                    .register(registry);
        }

        RouteMeters route(String route) {
            RouteMeters meters = routes.get(route);
            return meters != null ? meters : routes.computeIfAbsent(route, r -> new RouteMeters(name, r));
        }

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
        final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(METHODS.length * 6);
        final Timer duration;
        final Counter bytesIn;
        final Counter bytesOut;
        final Counter retries;

        RouteMeters(String listener, String route) {
            this.listener = listener;
            this.route = route;
            duration = Timer.builder("caravan.request.duration")
                    .tags("listener", listener, "route", route)
                    .description("From the request head to the last response byte written (or the failure)")
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry);
            bytesIn = Counter.builder("caravan.request.body").baseUnit("bytes").tags("listener", listener, "route", route)
                    .description("Request body bytes received from clients").register(registry);
            bytesOut = Counter.builder("caravan.response.body").baseUnit("bytes")
                    .tags("listener", listener, "route", route)
                    .description("Response body bytes written to clients").register(registry);
            retries = Counter.builder("caravan.backend.retries").tags("listener", listener, "route", route)
                    .description("Backend attempts beyond the first, per request").register(registry);
        }

        Counter requests(int method, int statusClass) {
            int slot = method * 6 + statusClass;
            Counter counter = requests.get(slot);
            if (counter == null) {
                counter = Counter.builder("caravan.requests")
                        .tags("listener", listener, "route", route, "method", METHODS[method],
                                "status", STATUS_CLASSES[statusClass])
                        .description("Requests finished, by listener, route, method and status class")
                        .register(registry);
                requests.set(slot, counter); // the registry returns the same counter to a racing thread
            }
            return counter;
        }
    }

    private final class BackendMeters {
        final String origin;
        final Timer duration;
        final Map<String, Counter> attempts = new ConcurrentHashMap<>();

        BackendMeters(String origin) {
            this.origin = origin;
            duration = Timer.builder("caravan.backend.duration").tag("backend", origin)
                    .description("From the request sent to the backend to its response head")
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry);
        }

        Counter attempt(String kind) {
            Counter counter = attempts.get(kind);
            return counter != null ? counter : attempts.computeIfAbsent(kind, k -> Counter.builder("caravan.backend.attempts")
                    .tags("backend", origin, "result", k.toLowerCase(Locale.ROOT))
                    .description("Backend attempts by how they ended: responded, connect_failed, connect_timeout, "
                            + "response_timeout, closed_before_head, invalid_response, retryable_status, ...")
                    .register(registry));
        }
    }
}
