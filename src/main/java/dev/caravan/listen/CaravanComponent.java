package dev.caravan.listen;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan} component: routes that take requests from a Caravan listener. */
@Component("caravan")
public final class CaravanComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Listeners listeners = getCamelContext().getRegistry().findSingleByType(Listeners.class);
        if (listeners == null) {
            throw new IllegalStateException("caravan: endpoints need a running Caravan server (no Listeners bean)");
        }
        String name = remaining == null || remaining.isBlank() ? "http" : remaining;
        CaravanEndpoint endpoint = new CaravanEndpoint(uri, this, listeners.get(name), listeners);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
