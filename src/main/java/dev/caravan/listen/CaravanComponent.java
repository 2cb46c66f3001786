package dev.caravan.listen;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan} component: routes that take requests from one or more Caravan listeners. */
@Component("caravan")
public final class CaravanComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Listeners listeners = getCamelContext().getRegistry().findSingleByType(Listeners.class);
        if (listeners == null) {
            throw new IllegalStateException("caravan: endpoints need a running Caravan server (no Listeners bean)");
        }
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
