package dev.caravan.server;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;

/**
 * Hooks the {@link CaravanServer} into camel-main: listeners bind once the context is configured, route files load
 * once it has started, and on shutdown the listeners drain before Camel stops the routes.
 */
public final class CaravanLifecycle extends MainListenerSupport {

    private CaravanServer server;
    private volatile Exception startFailure;

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        server = new CaravanServer(ServerSettings.from(context.getPropertiesComponent()), context);
        try {
            server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while binding listeners", e);
        }
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
