package dev.caravan;

import dev.caravan.config.ProxyRouteTemplate;
import dev.caravan.server.CaravanLifecycle;
import dev.caravan.server.CaravanServer;
import org.apache.camel.main.Main;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts Caravan: a camel-main application whose routes come from the YAML files in {@code caravan.routes.dir}.
 * Arguments of the form {@code --name=value} set properties; other arguments go to camel-main.
 */
public final class Caravan {

    private final Main main = new Main(Caravan.class);
    private final CaravanLifecycle lifecycle = new CaravanLifecycle();

    public Caravan(Map<String, String> properties) {
        main.setPropertyPlaceholderLocations(
                "classpath:application.properties;optional=true,file:application.properties;optional=true");
        // bodies are stream handles that must never be read into a cache; skipping the attempt also saves time
        main.configure().setStreamCachingEnabled(false);
        properties.forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new ProxyRouteTemplate());
        main.addMainListener(lifecycle);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 2) {
                properties.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                rest.add(arg);
            }
        }
        Caravan caravan = new Caravan(properties);
        try {
            caravan.main.run(rest.toArray(String[]::new));
        } catch (Exception e) {
            System.err.println("Caravan did not start: " + e.getMessage());
            System.exit(1);
        }
        if (caravan.lifecycle.startFailure() != null) {
            System.err.println("Caravan did not start: " + caravan.lifecycle.startFailure().getMessage());
            System.exit(1);
        }
        System.exit(caravan.main.getExitCode());
    }

    /** Starts without blocking (tests, embedding); throws if a route file is invalid. */
    public Caravan start() {
        main.start();
        try {
            lifecycle.afterStart(main);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        return this;
    }

    /** The same graceful stop as on SIGTERM: drain the listeners, stop the routes, close the pools. */
    public void stop() {
        lifecycle.beforeStop(main);
        main.stop();
        lifecycle.afterStop(main);
    }

    public CaravanServer server() {
        return lifecycle.server();
    }

    public org.apache.camel.CamelContext context() {
        return main.getCamelContext();
    }
}
