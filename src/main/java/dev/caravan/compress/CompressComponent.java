package dev.caravan.compress;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-compress} component: response compression as a route step. */
@Component("caravan-compress")
public final class CompressComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CompressConfiguration configuration = new CompressConfiguration();
        configuration.setCodings(remaining);
        CompressEndpoint endpoint = new CompressEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        return endpoint;
    }
}
