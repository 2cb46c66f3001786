package dev.caravan.listen;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.List;
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
        setProperties(configuration, parameters);
        List<Listener> bound = configuration.listenerNames().stream().map(listeners::get).toList();
        if (configuration.redirectStatus() != 0) {
            listeners.get("https"); // fails the route now, naming the listeners, when there is nowhere to redirect to
        }
        return new CaravanEndpoint(uri, this, configuration, bound, listeners);
    }
}
