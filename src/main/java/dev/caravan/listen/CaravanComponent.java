package dev.caravan.listen;

import dev.caravan.server.CaravanServer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code caravan} component: routes that take requests from one or more Caravan listeners. In any Camel runtime:
 * the first endpoint starts the context's {@link CaravanServer} if it has none.
 */
@Component("caravan")
public final class CaravanComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // the context's server: Caravan's own, or one started now from the context's caravan.* properties
        Listeners listeners = CaravanServer.of(getCamelContext()).listeners();
        CaravanConfiguration configuration = new CaravanConfiguration();
        if (remaining != null && !remaining.isBlank()) {
            configuration.setListeners(remaining);
        }
        CaravanEndpoint endpoint = new CaravanEndpoint(uri, this, configuration, listeners);
        setProperties(endpoint, parameters); // through the generated configurer, into the configuration
        endpoint.resolve();
        return endpoint;
    }
}
