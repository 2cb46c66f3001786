package dev.caravan.rewrite;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-rewrite} component: a head-tier step that rewrites the target (and Host) sent to the backend. */
@Component("caravan-rewrite")
public final class RewriteComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RewriteConfiguration configuration = new RewriteConfiguration();
        configuration.setName(remaining);
        RewriteEndpoint endpoint = new RewriteEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        endpoint.compile();
        return endpoint;
    }
}
