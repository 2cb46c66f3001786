package dev.caravan.server;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;

/**
 * Hooks the {@link CaravanServer} into camel-main: shared state is created once the context is configured, route
 * files load (and then listeners bind) once it has started, and on shutdown the listeners drain before Camel stops
 * the routes.
 */
public final class CaravanLifecycle extends MainListenerSupport {

    private CaravanServer server;
    private volatile Exception startFailure;

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        // a proxy route answers its own failures (502/504 pages, one log line); Camel's default error handler would
        // log every backend failure as a stack-trace block and cost time on every exchange
        context.getCamelContextExtension().setErrorHandlerFactory(new NoErrorHandlerDefinition());
        server = new CaravanServer(ServerSettings.from(context.getPropertiesComponent()), context);
        server.start();
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        try {
            server.loadRoutes();
        } catch (Exception e) {
            startFailure = e;
            throw new IllegalStateException("Cannot load routes: " + e.getMessage(), e);
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

    /** Why start-up failed (an invalid route file), or null. */
    public Exception startFailure() {
        return startFailure;
    }

    public CaravanServer server() {
        return server;
    }
}
