package dev.caravan.server;

import dev.caravan.config.PropertiesFile;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Caravan's own process as a camel-main application: its context gets no error handler, and its {@link CaravanServer}
 * is made from the process's settings once the context is configured. From there the server follows the context
 * ({@link ContextHooks}): route files load (and then listeners bind) once it has started, and on shutdown the
 * listeners drain before Camel stops the routes. The calls below repeat those steps for callers that drive camel-main
 * by hand ({@code Caravan.start/stop}); each runs once.
 */
public final class CaravanLifecycle extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanLifecycle.class);

    private final PropertiesFile propertiesFile;
    private final Map<String, String> overrides;
    private final boolean validateOnly;
    private CaravanServer server;

    /**
     * @param overrides the properties given on the command line (to say where an unknown name came from)
     * @param validateOnly check the routes and settings, bind nothing ({@code --validate})
     */
    public CaravanLifecycle(PropertiesFile propertiesFile, Map<String, String> overrides, boolean validateOnly) {
        this.propertiesFile = propertiesFile;
        this.overrides = overrides;
        this.validateOnly = validateOnly;
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        // a proxy route answers its own failures (502/504 pages, one log line); Camel's default error handler would
        // log every backend failure as a stack-trace block and cost time on every exchange
        context.getCamelContextExtension().setErrorHandlerFactory(new NoErrorHandlerDefinition());
        ServerSettings settings;
        try {
            settings = ServerSettings.from(context.getPropertiesComponent());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        new SettingsCheck(propertiesFile.name()).unknownAtStart(context.getPropertiesComponent(), overrides)
                .forEach(LOG::warn);
        server = new CaravanServer(settings, context, propertiesFile);
        if (validateOnly) {
            server.startForValidation();
        } else {
            server.start();
        }
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        if (!validateOnly) {
            server.loadRoutes();
        }
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        if (server != null) {
            server.drain();
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        if (server != null) {
            server.stop();
        }
    }

    public CaravanServer server() {
        return server;
    }
}
