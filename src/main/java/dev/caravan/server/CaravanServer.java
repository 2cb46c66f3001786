package dev.caravan.server;

import dev.caravan.config.PropertiesFile;
import dev.caravan.config.ProxyRouteTemplate;
import dev.caravan.config.RouteFileException;
import dev.caravan.config.RouteFolderCheck;
import dev.caravan.config.RouteReloader;
import dev.caravan.access.CidrMatcher;
import dev.caravan.access.ForwardedTrust;
import dev.caravan.balance.Backends;
import dev.caravan.forward.BackendPools;
import dev.caravan.grpc.GrpcExchanges;
import dev.caravan.health.HealthChecks;
import dev.caravan.http.EventLoops;
import dev.caravan.listen.Listener;
import dev.caravan.listen.ListenerConfig;
import dev.caravan.listen.Listeners;
import dev.caravan.tls.BackendTls;
import dev.caravan.tls.CertificateFileException;
import dev.caravan.tls.CertificateStore;
import dev.caravan.tls.TlsPolicy;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.List;
import java.util.Locale;

/**
 * Everything that lives outside routes and must survive their reloads: the I/O threads, the bound listeners, the
 * backend connection pools, the route file reloader and the TLS certificates. It starts before routes are loaded and
 * stops after the listeners have drained.
 */
public final class CaravanServer {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanServer.class);

    private final ServerSettings settings;
    private final CamelContext context;
    private final PropertiesFile propertiesFile;
    private EventLoops loops;
    private BackendPools pools;
    private final Listeners listeners = new Listeners();
    private RouteReloader reloader;
    private CertificateStore certificates;
    private HealthChecks healthChecks;
    private dev.caravan.observe.Observability observability; // observe: metrics, access log, ids, admin listener

    public CaravanServer(ServerSettings settings, CamelContext context, PropertiesFile propertiesFile) {
        this.settings = settings;
        this.context = context;
        this.propertiesFile = propertiesFile;
    }

    /** Creates the listeners (not yet bound) and registers the shared state as beans, so routes can use it. */
    public void start() {
        if (settings.httpsEnabled()) {
            TlsPolicy.refuseClientRenegotiation();
            // first: a certificate that cannot be served stops the start before any thread exists
            certificates = new CertificateStore(settings.tls(), settings.httpsH2());
            try {
                certificates.loadInitial();
            } catch (CertificateFileException e) {
                throw new StartupException("Cannot load certificates: " + e.getMessage(), e);
            }
        }
        // like certificates, a backend CA bundle or client certificate that cannot be read stops the start
        BackendTls backendTls = new BackendTls(settings.backendTls());
        loops = new EventLoops(settings.ioThreads());
        pools = new BackendPools(loops, backendTls);
        ForwardedTrust trust = new ForwardedTrust(CidrMatcher.parse(settings.trustedProxies()));
        Listener http = new Listener(new ListenerConfig("http", settings.httpHost(), settings.httpPort(),
                settings.clientLimits(), null, null, trust, settings.paths(), settings.httpProxyProtocol(),
                settings.httpH2c(), settings.h2()), loops);
        listeners.add(http);
        if (certificates != null) {
            listeners.add(new Listener(new ListenerConfig("https", settings.httpsHost(), settings.httpsPort(),
                    settings.clientLimits(), certificates.termination(), settings.hsts(), trust, settings.paths(),
                    settings.httpsProxyProtocol(), settings.httpsH2(), settings.h2()),
                    loops));
        }
        // gRPC requests on every listener: the gateway's own failures as gRPC statuses, grpc-status in the request log
        GrpcExchanges grpc = new GrpcExchanges();
        listeners.all().forEach(listener -> listener.onExchangeStarted(grpc));
        context.getRegistry().bind("caravanListeners", listeners);
        context.getRegistry().bind("caravanBackendPools", pools);
        Backends backends = new Backends();
        context.getRegistry().bind("caravanBackends", backends);
        healthChecks = new HealthChecks(loops, backendTls);
        context.getRegistry().bind("caravanHealthChecks", healthChecks);
        context.getRegistry().bind("caravanServer", this);
        startObservability(backends);
        LOG.info("Caravan I/O: {} threads ({})", settings.ioThreads(), loops.isEpoll() ? "epoll" : "nio");
    }

    /** Observe: request ids, trace context, MDC, metrics and access log on every listener, before any binds. */
    private void startObservability(Backends backends) {
        observability = new dev.caravan.observe.Observability(settings.observe(), context, loops, backends, pools,
                certificates, () -> reloader);
        observability.attach(listeners);
        context.getRegistry().bind("caravanObservability", observability);
    }

    /** Observe: the admin listener binds before the routes load, so liveness answers during a long start. */
    private void startAdmin() {
        try {
            observability.startAdmin();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("Interrupted while binding the admin listener", e);
        } catch (RuntimeException e) {
            throw new StartupException(StartupException.describe(e), e);
        }
    }

    /**
     * Loads the route files (failing on an invalid one), then binds the listeners, so the first request already
     * meets the routes; then starts watching the files and the properties file.
     */
    public void loadRoutes() {
        startAdmin(); // observe
        reloader = new RouteReloader(context, settings.routesDir(), listeners, settings.drainTimeoutMillis(),
                () -> List.of(new ProxyRouteTemplate()), propertiesFile, new SettingsCheck(propertiesFile.name()));
        try {
            reloader.loadInitial();
        } catch (RouteFileException e) {
            throw new StartupException(e.getMessage(), e);
        }
        for (Listener listener : listeners.all()) {
            bind(listener);
        }
        if (settings.reloadEnabled()) {
            reloader.watch(settings.reloadIntervalMillis());
        }
        if (certificates != null) {
            certificates.watch();
        }
    }

    /** Checks the route folder as a reload would, binding nothing ({@code --validate}); returns a summary. */
    public String validateRoutes() throws RouteFileException {
        return new RouteFolderCheck(context, () -> List.of(new ProxyRouteTemplate())).check(settings.routesDir());
    }

    private void bind(Listener listener) {
        try {
            listener.start();
        } catch (Exception e) {
            String address = listener.name().equals("https")
                    ? settings.httpsHost() + ":" + settings.httpsPort()
                    : settings.httpHost() + ":" + settings.httpPort();
            throw new StartupException("Listener '" + listener.name() + "' cannot bind " + address + ": "
                    + (addressInUse(e) ? "address in use" : StartupException.describe(e)), e);
        }
    }

    private static boolean addressInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("address already in use")) {
                return true;
            }
        }
        return false;
    }

    /** Stops taking new connections and lets open requests finish (before routes stop). */
    public void drain() {
        if (observability != null) {
            observability.shuttingDown(); // observe: readiness answers 503 before the listeners stop accepting
        }
        if (reloader != null) {
            reloader.close();
        }
        if (certificates != null) {
            certificates.close();
        }
        listeners.all().forEach(l -> l.stop(settings.shutdownGraceMillis()));
    }

    /** Closes the pools and I/O threads (after routes stopped). */
    public void stop() {
        if (observability != null) {
            observability.close(); // observe: the admin listener closes last, before the I/O threads
        }
        if (healthChecks != null) {
            healthChecks.close();
        }
        if (pools != null) {
            pools.close();
        }
        if (loops != null) {
            loops.close();
        }
    }

    public Listeners listeners() {
        return listeners;
    }

    public RouteReloader reloader() {
        return reloader;
    }

    public int httpPort() {
        return listeners.get("http").port();
    }

    /** The bound port of the {@code https} listener; fails if {@code caravan.https.enabled} is false. */
    public int httpsPort() {
        return listeners.get("https").port();
    }

    /** Observe: metrics, access log, request ids and the admin listener. */
    public dev.caravan.observe.Observability observability() {
        return observability;
    }

    /** The TLS certificates of the {@code https} listener, or null when it is disabled. */
    public CertificateStore certificates() {
        return certificates;
    }
}
