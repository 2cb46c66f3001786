package dev.caravan.harden;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-hide} component: a head-tier step that hides the servers behind the gateway. */
@Component("caravan-hide")
public final class HideComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        HideConfiguration configuration = new HideConfiguration();
        configuration.setWhat(remaining == null || remaining.isEmpty() ? "backends" : remaining);
        HideEndpoint endpoint = new HideEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        return endpoint;
    }
}
