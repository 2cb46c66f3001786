package dev.caravan.server;

import dev.caravan.access.CidrMatcher;
import dev.caravan.access.ForwardedTrust;
import dev.caravan.balance.Backends;
import dev.caravan.config.PropertiesFile;
import dev.caravan.config.ProxyRouteTemplate;
import dev.caravan.config.RouteFileException;
import dev.caravan.config.RouteFolderCheck;
import dev.caravan.config.RouteReloader;
import dev.caravan.config.ValidationContext;
import dev.caravan.forward.BackendPools;
import dev.caravan.grpc.GrpcExchanges;
import dev.caravan.health.HealthChecks;
import dev.caravan.http.EventLoops;
import dev.caravan.http.IoTransport;
import dev.caravan.listen.Listener;
import dev.caravan.listen.ListenerConfig;
import dev.caravan.listen.Listeners;
import dev.caravan.tls.BackendTls;
import dev.caravan.tls.CertificateFileException;
import dev.caravan.tls.CertificateStore;
import dev.caravan.tls.TlsPolicy;
import dev.caravan.tls.TlsProvider;
import io.netty.handler.ssl.SslProvider;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that lives outside routes and must survive their reloads: the I/O threads, the bound listeners, the
 * backend connection pools, the route file reloader and the TLS certificates. One per Camel context, found in its
 * registry; the {@code caravan:} and {@code caravan-forward:} components start it for their context the first time
 * they need it ({@link #of(CamelContext)}), whatever runtime the context lives in.
 *
 * <p>Its life follows the context's ({@link ContextHooks}): created and registered before routes start, listeners
 * bound (and the route folder, if any, loaded) once the context and the routes that use them have started, listeners
 * drained before Camel stops the routes, threads and pools closed after.
 */
public final class CaravanServer {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanServer.class);
    /** The registry name of the server (its parts are registered too, e.g. {@code caravanBackends} for YAML). */
    public static final String BEAN_NAME = "caravanServer";

    private final ServerSettings settings;
    private final CamelContext context;
    private final PropertiesFile propertiesFile;
    private final Path routesDir;
    private final boolean ownProcess;
    private EventLoops loops;
    private BackendPools pools;
    private final Backends backends = new Backends();
    private final Listeners listeners = new Listeners();
    private RouteReloader reloader;
    private CertificateStore certificates;
    private HealthChecks healthChecks;
    private dev.caravan.observe.Observability observability; // observe: metrics, access log, ids, admin listener
    private boolean created;
    private boolean loaded;
    private boolean drained;
    private boolean stopped;

    /**
     * Caravan's own process ({@code java -jar caravan.jar}): routes come from {@code settings.routesDir()}, the
     * properties file is watched with them, and process-wide TLS settings are Caravan's to make.
     */
    public CaravanServer(ServerSettings settings, CamelContext context, PropertiesFile propertiesFile) {
        this(settings, context, propertiesFile, settings.routesDir(), true);
    }

    private CaravanServer(ServerSettings settings, CamelContext context, PropertiesFile propertiesFile,
                          Path routesDir, boolean ownProcess) {
        this.settings = settings;
        this.context = context;
        this.propertiesFile = propertiesFile;
        this.routesDir = routesDir;
        this.ownProcess = ownProcess;
    }

    /**
     * The server of {@code context}: the one in its registry, else a new one made from the context's {@code caravan.*}
     * properties and started ({@link #start()}). This is how Caravan's components work in any Camel runtime.
     *
     * @throws IllegalStateException in Caravan's validation context, which uses the live server and never makes one
     */
    public static CaravanServer of(CamelContext context) {
        CaravanServer server;
        synchronized (context.getRegistry()) {
            Optional<CaravanServer> existing = find(context);
            if (existing.isPresent()) {
                return existing.get();
            }
            if (ValidationContext.isValidation(context)) {
                throw new IllegalStateException("caravan: endpoints need a running Caravan server (none in the "
                        + "registry of the context being validated)");
            }
            server = embedded(context);
            server.createAndTie();
        }
        // outside the lock: loading the route folder builds caravan: routes, whose endpoints look the server up
        if (context.isStarted()) {
            server.loadRoutes();
        }
        return server;
    }

    /** The server registered in {@code context}, if any. */
    public static Optional<CaravanServer> find(CamelContext context) {
        return Optional.ofNullable(context.getRegistry().findSingleByType(CaravanServer.class));
    }

    /**
     * A server inside a host application's context: settings from the context's properties; a route folder only when
     * {@code caravan.routes.dir} is set; the https listener only when {@code caravan.https.enabled=true}; nothing
     * process-wide is changed.
     */
    static CaravanServer embedded(CamelContext context) {
        org.apache.camel.spi.PropertiesComponent properties = context.getPropertiesComponent();
        ServerSettings settings;
        try {
            settings = ServerSettings.from(new SettingsSource(key -> properties.resolveProperty(key)
                    .or(() -> Optional.ofNullable(EMBEDDED_DEFAULTS.get(key)))));
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        new SettingsCheck("properties").unknownAtStart(properties, Map.of()).forEach(LOG::warn);
        Path routesDir = properties.resolveProperty(ROUTES_DIR).filter(v -> !v.isBlank())
                .map(v -> settings.routesDir()).orElse(null);
        return new CaravanServer(settings, context, null, routesDir, false);
    }

    static final String ROUTES_DIR = "caravan.routes.dir";
    /** Where an embedded server's defaults differ from Caravan's own process: no other port unless asked for. */
    private static final Map<String, String> EMBEDDED_DEFAULTS = Map.of("caravan.https.enabled", "false",
            "caravan.admin.enabled", "false");

    /**
     * Creates the listeners (not yet bound) and the shared state, registers them as beans so routes can use them,
     * and ties them to the context's life: they bind once it has started and drain when it stops. Bound at once if
     * the context already runs (a {@code caravan:} route added to a running context).
     */
    public void start() {
        createAndTie();
        if (context.isStarted()) {
            loadRoutes();
        }
    }

    private synchronized void createAndTie() {
        if (created) {
            return;
        }
        create();
        new ContextHooks(this).register(context);
    }

    /** Creates and registers the shared state for {@code --validate}: nothing is bound, no route file is loaded. */
    public synchronized void startForValidation() {
        create();
    }

    private void create() {
        if (created) {
            return;
        }
        created = true;
        SslProvider tlsProvider;
        try {
            tlsProvider = settings.tls().provider().select();
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (settings.httpsEnabled()) {
            if (ownProcess) {
                TlsPolicy.refuseClientRenegotiation();
            } else if (tlsProvider == SslProvider.JDK) {
                TlsPolicy.warnIfClientRenegotiationAllowed();
            }
            // first: a certificate that cannot be served stops the start before any thread exists
            certificates = new CertificateStore(settings.tls(), settings.httpsH2(), tlsProvider);
            try {
                certificates.loadInitial();
            } catch (CertificateFileException e) {
                throw new StartupException("Cannot load certificates: " + e.getMessage(), e);
            }
        }
        // like certificates, a backend CA bundle or client certificate that cannot be read stops the start
        BackendTls backendTls = new BackendTls(settings.backendTls(), tlsProvider);
        LOG.info("TLS: {} serves {}https:// backends (caravan.tls.provider={})", TlsProvider.describe(tlsProvider),
                certificates != null ? "the https listener and " : "",
                settings.tls().provider().name().toLowerCase(Locale.ROOT));
        loops = new EventLoops(settings.ioThreads(), settings.ioTransport());
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
        healthChecks = new HealthChecks(loops, backendTls);
        // gRPC requests on every listener: the gateway's own failures as gRPC statuses, grpc-status in the request log
        GrpcExchanges grpc = new GrpcExchanges();
        listeners.all().forEach(listener -> listener.onExchangeStarted(grpc));
        context.getRegistry().bind("caravanListeners", listeners);
        context.getRegistry().bind("caravanBackendPools", pools);
        context.getRegistry().bind("caravanBackends", backends);
        context.getRegistry().bind("caravanHealthChecks", healthChecks);
        context.getRegistry().bind(BEAN_NAME, this);
        startObservability(backends);
        LOG.info("Caravan I/O: {} threads ({})", settings.ioThreads(), loops.transport().label());
    }

    /** Observe: request ids, trace context, MDC, metrics and access log on every listener, before any binds. */
    private void startObservability(Backends backends) {
        org.apache.camel.spi.UnitOfWorkFactory hosts = context.getCamelContextExtension()
                .getContextPlugin(org.apache.camel.spi.UnitOfWorkFactory.class);
        observability = new dev.caravan.observe.Observability(settings.observe(), context, loops, backends, pools,
                certificates, () -> reloader);
        if (!ownProcess) {
            // embedded: Observability's unit of work (request ids in the MDC after async steps) would replace the
            // host's for every route of the context, Camel's MDC logging included; the host keeps its own
            org.apache.camel.spi.UnitOfWorkFactory keep = hosts != null ? hosts
                    : new org.apache.camel.impl.engine.DefaultUnitOfWorkFactory();
            keep.afterPropertiesConfigured(context);
            context.getCamelContextExtension().addContextPlugin(org.apache.camel.spi.UnitOfWorkFactory.class, keep);
        }
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
     * meets the routes; then starts watching the files and the properties file. Runs once; later calls do nothing.
     */
    public synchronized void loadRoutes() {
        if (loaded || drained) {
            return;
        }
        loaded = true;
        startAdmin(); // observe
        if (routesDir != null) {
            if (!(context instanceof ModelCamelContext model)
                    || model.getRouteTemplateDefinition(ProxyRouteTemplate.ID) == null) {
                addProxyTemplate();
            }
            reloader = new RouteReloader(context, routesDir, listeners, settings.drainTimeoutMillis(),
                    () -> List.of(new ProxyRouteTemplate()), propertiesFile,
                    new SettingsCheck(propertiesFile == null ? "properties" : propertiesFile.name()));
            try {
                reloader.loadInitial();
            } catch (RouteFileException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        for (Listener listener : listeners.all()) {
            bind(listener);
        }
        if (reloader != null && settings.reloadEnabled()) {
            reloader.watch(settings.reloadIntervalMillis());
        }
        if (certificates != null) {
            certificates.watch();
        }
    }

    /** The route folder's {@code templatedRoute}s need the template in the live context (a host may lack it). */
    private void addProxyTemplate() {
        try {
            context.addRoutes(new ProxyRouteTemplate());
        } catch (Exception e) {
            throw new StartupException("Cannot add the " + ProxyRouteTemplate.ID + " route template: " + e.getMessage(),
                    e);
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

    /** Stops taking new connections and lets open requests finish (before routes stop). Runs once. */
    public void drain() {
        synchronized (this) {
            if (drained) {
                return;
            }
            drained = true;
        }
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

    /** Closes the pools and I/O threads (after routes stopped) and leaves the registry. Runs once. */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        drain(); // when the context stopped without the stopping notice (a start that failed half-way)
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
        if (created) {
            // a context started again makes a fresh server
            for (String name : List.of("caravanListeners", "caravanBackendPools", "caravanBackends",
                    "caravanHealthChecks", "caravanObservability", BEAN_NAME)) {
                context.getRegistry().unbind(name);
            }
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

    /** The I/O transport the listeners and backend connections run on ({@code caravan.io.transport}, resolved). */
    public IoTransport transport() {
        return loops.transport();
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

    /** The backend connection pools ({@code caravan-forward:} endpoints take theirs from here). */
    public BackendPools backendPools() {
        return pools;
    }

    /** Backend state (in flight, ejections) shared by every route that names a backend. */
    public Backends backends() {
        return backends;
    }

    public HealthChecks healthChecks() {
        return healthChecks;
    }

    /** The route folder this server loads and watches, or null (embedded without {@code caravan.routes.dir}). */
    public Path routesDir() {
        return routesDir;
    }

    public CamelContext context() {
        return context;
    }
}
