package dev.caravan.observe;

import dev.caravan.admin.AdminData;
import dev.caravan.admin.AdminListener;
import dev.caravan.balance.Backends;
import dev.caravan.config.RouteReloader;
import dev.caravan.forward.BackendPools;
import dev.caravan.http.EventLoops;
import dev.caravan.listen.Listener;
import dev.caravan.listen.Listeners;
import dev.caravan.tls.CertificateStore;
import dev.caravan.tls.ServedCertificate;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Caravan's observability, owned by the server: request ids, trace context and the MDC on every listener, the access
 * log, the metrics (Caravan's, Camel's route metrics and the JVM's in one Prometheus registry), readiness, and the
 * admin listener that shows them. Created with the listeners, before they bind; the admin listener binds before the
 * routes load (so liveness answers during a long start) and closes last.
 */
public final class Observability implements AdminData, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);
    /** How far back the status page's rates look. */
    private static final long RATE_WINDOW_MILLIS = 60_000;

    private final ObserveSettings settings;
    private final CamelContext context;
    private final EventLoops loops;
    private final Backends backends;
    private final CertificateStore certificates;
    private final Supplier<RouteReloader> reloader;
    private final PrometheusMeterRegistry registry;
    private final GatewayMetrics metrics;
    private final StateMeters state;
    private final RouteInventory inventory;
    private final ScheduledExecutorService adminThread;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private volatile boolean shuttingDown;
    private AdminListener admin;

    public Observability(ObserveSettings settings, CamelContext context, EventLoops loops, Backends backends,
                         BackendPools pools, CertificateStore certificates, Supplier<RouteReloader> reloader) {
        this.settings = settings;
        this.context = context;
        this.loops = loops;
        this.backends = backends;
        this.certificates = certificates;
        this.reloader = reloader;
        this.inventory = new RouteInventory(context);
        if (settings.metrics()) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = new GatewayMetrics(registry, registry.getPrometheusRegistry());
            state = new StateMeters(registry, backends, pools, reloader, certificates, context);
            if (settings.camelRouteMetrics()) {
                // Camel's own per-route meters (exchanges, failures, time in the route's steps) in the same registry
                MicrometerRoutePolicyFactory routeMetrics = new MicrometerRoutePolicyFactory();
                routeMetrics.setMeterRegistry(registry);
                context.addRoutePolicyFactory(routeMetrics);
            }
        } else {
            registry = null;
            metrics = null;
            state = null;
        }
        // the request's ids in the MDC for route steps that continue after the backend answered
        UnitOfWorkFactory unitsOfWork = new RequestMdcUnitOfWorkFactory();
        unitsOfWork.afterPropertiesConfigured(context);
        context.getCamelContextExtension().addContextPlugin(UnitOfWorkFactory.class, unitsOfWork);
        adminThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-admin");
            t.setDaemon(true);
            return t;
        });
        if (metrics != null) {
            // the JVM's meters load a good many classes: bound on the admin thread, not on the start-up path
            adminThread.execute(this::bindJvmMeters);
            adminThread.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
        }
    }

    private void bindJvmMeters() {
        new JvmMemoryMetrics().bindTo(registry);
        new GcMeters().bindTo(registry); // not JvmGcMetrics: it costs every collection a millisecond (see GcMeters)
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Request ids, trace context, MDC, metrics and access log on every listener (before they bind). */
    public void attach(Listeners listeners) {
        for (Listener listener : listeners.all()) {
            new RequestObserver(settings, settings.accessLogFor(listener.name()), metrics).attach(listener);
        }
    }

    /** Binds the admin listener, if on. */
    public void startAdmin() throws InterruptedException {
        if (settings.admin() != null) {
            admin = new AdminListener(settings.admin(), loops, this, adminThread);
            admin.start();
        }
    }

    /** The admin listener's bound port, or -1 when it is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /**
     * Shutdown begins: readiness answers 503 from now on, so load balancers stop sending; after the configured delay
     * the listeners may stop accepting.
     */
    public void shuttingDown() {
        shuttingDown = true;
        LOG.info("Shutting down: readiness now answers 503");
        long delay = settings.readinessDelayMillis();
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The Prometheus registry, or null when metrics are off. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        adminThread.shutdownNow();
        if (registry != null) {
            registry.close();
        }
    }

    // ---- AdminData

    @Override
    public String metrics(boolean openMetrics) {
        if (registry == null) {
            return null;
        }
        state.refresh();
        metrics.refresh();
        return openMetrics ? registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8")
                : registry.scrape();
    }

    @Override
    public Readiness readiness() {
        List<String> reasons = new ArrayList<>();
        RouteReloader r = reloader.get();
        int generation = r == null ? 0 : r.generation();
        if (shuttingDown) {
            reasons.add("shutting down");
        }
        if (generation < 1) {
            reasons.add("routes not loaded");
        } else if (!shuttingDown) {
            long now = System.nanoTime();
            for (RouteInventory.RouteInfo route : inventory.read(r).routes()) {
                for (List<String> pool : route.pools()) {
                    boolean usable = pool.stream().map(backends::find)
                            .anyMatch(b -> b == null || b.isAvailable(now));
                    if (!usable) {
                        reasons.add("route " + route.id() + ": no usable backend (" + String.join(", ", pool) + ")");
                    }
                }
            }
        }
        return new Readiness(reasons.isEmpty(), generation, reasons);
    }

    @Override
    public String routesJson() {
        RouteReloader r = reloader.get();
        if (r == null) {
            return "{\"generation\":0,\"files\":[],\"routes\":[]}";
        }
        RouteInventory.Snapshot snapshot = inventory.read(r);
        StringBuilder json = new StringBuilder("{\"generation\":").append(snapshot.generation());
        json.append(",\"lastError\":").append(JsonText.quote(r.lastError()));
        json.append(",\"files\":").append(array(snapshot.files()));
        json.append(",\"routes\":[");
        boolean first = true;
        for (RouteInventory.RouteInfo route : snapshot.routes()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append("{\"id\":").append(JsonText.quote(route.id()))
                    .append(",\"camelId\":").append(JsonText.quote(route.camelId()))
                    .append(",\"source\":").append(JsonText.quote(route.source()))
                    .append(",\"listeners\":").append(array(route.listeners()))
                    .append(",\"host\":").append(JsonText.quote(route.host()))
                    .append(",\"path\":").append(JsonText.quote(route.path()))
                    .append(",\"steps\":").append(array(route.steps()))
                    .append(",\"backends\":[");
            for (int i = 0; i < route.pools().size(); i++) {
                json.append(i == 0 ? "" : ",").append(array(route.pools().get(i)));
            }
            json.append("]}");
        }
        return json.append("]}").toString();
    }

    private static String array(List<String> values) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            json.append(i == 0 ? "" : ",").append(JsonText.quote(values.get(i)));
        }
        return json.append(']').toString();
    }

    @Override
    public String backendsJson() {
        return backends.json();
    }

    @Override
    public String certificatesJson() {
        StringBuilder json = new StringBuilder("{\"certificates\":[");
        if (certificates != null) {
            Instant now = Instant.now();
            boolean first = true;
            for (ServedCertificate c : certificates.served()) {
                Instant notAfter = c.leaf().getNotAfter().toInstant();
                json.append(first ? "" : ",")
                        .append("{\"name\":").append(JsonText.quote(c.name()))
                        .append(",\"hostnames\":").append(array(c.hostnames()))
                        .append(",\"serial\":").append(JsonText.quote(c.leaf().getSerialNumber().toString(16)))
                        .append(",\"notAfter\":").append(JsonText.quote(notAfter.toString()))
                        .append(",\"daysLeft\":").append(Duration.between(now, notAfter).toDays())
                        .append(",\"source\":").append(JsonText.quote(c.source())).append('}');
                first = false;
            }
        }
        return json.append("]}").toString();
    }

    @Override
    public StatusView status() {
        Readiness readiness = readiness();
        RouteReloader r = reloader.get();
        List<RouteRow> routes = new ArrayList<>();
        if (r != null) {
            for (RouteInventory.RouteInfo route : inventory.read(r).routes()) {
                List<String> origins = route.pools().stream().flatMap(List::stream).distinct().toList();
                routes.add(new RouteRow(route.id(), String.join(",", route.listeners()), route.host(), route.path(),
                        origins, route.source()));
            }
        }
        long now = System.nanoTime();
        List<BackendRow> rows = backends.all().stream()
                .sorted(Comparator.comparing(b -> b.target().origin()))
                .map(b -> new BackendRow(b.target().origin(), b.isAvailable(now), b.isProbedUp(), b.isEjected(now),
                        b.inflight(), b.ejectionsTotal()))
                .toList();
        double[] rates = rates();
        return new StatusView(readiness.ready(), readiness.reasons(), readiness.generation(),
                r == null ? null : r.lastError(), rates[0], rates[1],
                metrics == null ? 0 : metrics.requestsTotal(), metrics == null ? 0 : metrics.errorsTotal(),
                metrics != null, routes, rows);
    }

    /** Requests and errors per second over the last minute (from the samples taken every second). */
    private synchronized double[] rates() {
        if (samples.size() < 2) {
            return new double[] {0, 0};
        }
        long[] oldest = samples.peekFirst();
        long[] newest = samples.peekLast();
        double seconds = Math.max(1, newest[0] - oldest[0]) / 1000.0;
        return new double[] {(newest[1] - oldest[1]) / seconds, (newest[2] - oldest[2]) / seconds};
    }

    private synchronized void sample() {
        long now = System.currentTimeMillis();
        samples.addLast(new long[] {now, metrics.requestsTotal(), metrics.errorsTotal()});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_MILLIS) {
            samples.pollFirst();
        }
    }
}
