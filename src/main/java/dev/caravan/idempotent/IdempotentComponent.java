package dev.caravan.idempotent;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-idempotent} component: replays for retried requests that carry an {@code Idempotency-Key}. */
@Component("caravan-idempotent")
public final class IdempotentComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        IdempotentConfiguration configuration = new IdempotentConfiguration();
        configuration.setName(remaining);
        IdempotentEndpoint endpoint = new IdempotentEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        endpoint.bindStore();
        return endpoint;
    }
}
