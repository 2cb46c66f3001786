package dev.caravan.forward;

import dev.caravan.balance.Backends;
import dev.caravan.health.HealthChecks;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-forward} component: Caravan's streaming HTTP forwarder. */
@Component("caravan-forward")
public final class ForwardComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        BackendPools pools = getCamelContext().getRegistry().findSingleByType(BackendPools.class);
        if (pools == null) {
            throw new IllegalStateException("caravan-forward needs a running Caravan server (no BackendPools bean)");
        }
        Backends backends = getCamelContext().getRegistry().findSingleByType(Backends.class);
        ForwardConfiguration configuration = new ForwardConfiguration();
        configuration.setTargets(remaining);
        ForwardEndpoint endpoint = new ForwardEndpoint(uri, this, configuration, pools,
                backends != null ? backends : new Backends(),
                getCamelContext().getRegistry().findSingleByType(HealthChecks.class));
        setProperties(endpoint, parameters); // through the generated configurer, into the configuration
        configuration.validate();
        return endpoint;
    }
}
