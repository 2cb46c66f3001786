package dev.caravan.server;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Ties a {@link CaravanServer} to its Camel context's start and stop, in any runtime (camel-main, Spring Boot, a
 * context of the user's own), in the order a proxy needs:
 * <ol>
 *   <li>the context has started, and with it every route that uses a listener: the route folder (if any) loads and
 *   the listeners bind, so the first request meets its route ({@link StartupListener}, whose failure fails the
 *   start);</li>
 *   <li>the context is told to stop: the listeners stop accepting and the open requests finish, while their routes
 *   still run ({@code LifecycleStrategy#onContextStopping}, called before Camel stops any route);</li>
 *   <li>after the routes, endpoints and components have stopped: the pools and I/O threads close (a service of the
 *   context, stopped last).</li>
 * </ol>
 */
final class ContextHooks extends LifecycleStrategySupport implements StartupListener {

    private final CaravanServer server;

    ContextHooks(CaravanServer server) {
        this.server = server;
    }

    void register(CamelContext context) {
        context.addLifecycleStrategy(this);
        try {
            context.addService(new Closer(server), true);
            if (!context.isStarted()) {
                context.addStartupListener(this); // a started context calls it at once, too early: start() binds then
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot tie Caravan to the Camel context: " + e.getMessage(), e);
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // routes are not started yet: wait for the fully started call
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        server.loadRoutes();
    }

    @Override
    public void onContextStopping(CamelContext context) {
        server.drain();
    }

    /** The part of the server that goes with the context's own services, after the routes. */
    private static final class Closer extends ServiceSupport {

        private final CaravanServer server;

        Closer(CaravanServer server) {
            this.server = server;
        }

        @Override
        protected void doStop() {
            server.stop();
        }
    }
}
