package dev.caravan.cache;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-cache} component: the response cache's lookup step and its purge endpoint. */
@Component("caravan-cache")
public final class CacheComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CacheConfiguration configuration = new CacheConfiguration();
        configuration.setName(remaining);
        CacheEndpoint endpoint = new CacheEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        endpoint.bindCache();
        return endpoint;
    }
}
