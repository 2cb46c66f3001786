package dev.caravan.forward;

import dev.caravan.server.CaravanServer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code caravan-forward} component: Caravan's streaming HTTP forwarder. Its pools and backend state belong to the
 * context's {@link CaravanServer}, started by the first endpoint if the context has none.
 */
@Component("caravan-forward")
public final class ForwardComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CaravanServer server = CaravanServer.of(getCamelContext()); // started now if the context has none
        ForwardConfiguration configuration = new ForwardConfiguration();
        configuration.setTargets(remaining);
        ForwardEndpoint endpoint = new ForwardEndpoint(uri, this, configuration, server.backendPools(),
                server.backends(), server.healthChecks());
        setProperties(endpoint, parameters); // through the generated configurer, into the configuration
        configuration.validate();
        return endpoint;
    }
}
