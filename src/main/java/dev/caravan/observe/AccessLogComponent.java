package dev.caravan.observe;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-access-log} component: a step that chooses how the route's requests are access-logged. */
@Component("caravan-access-log")
public final class AccessLogComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        AccessLogConfiguration configuration = new AccessLogConfiguration();
        configuration.setMode(remaining);
        AccessLogEndpoint endpoint = new AccessLogEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.choice(); // a bad value fails the route file now, naming the option
        return endpoint;
    }
}
