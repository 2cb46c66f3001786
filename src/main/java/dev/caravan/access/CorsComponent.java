package dev.caravan.access;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-cors} component: answers CORS preflights and puts the CORS headers on a route's responses. */
@Component("caravan-cors")
public final class CorsComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CorsConfiguration configuration = new CorsConfiguration();
        configuration.setName(StepName.require(remaining, "caravan-cors"));
        CorsEndpoint endpoint = new CorsEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.policy(); // a bad origin or header name fails the route file now, naming the option
        return endpoint;
    }
}
