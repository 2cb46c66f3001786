package dev.caravan.access;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-ip} component: a head-tier step that lets a request on or answers 403 by client address. */
@Component("caravan-ip")
public final class IpRulesComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        IpRulesConfiguration configuration = new IpRulesConfiguration();
        configuration.setName(StepName.require(remaining, "caravan-ip"));
        IpRulesEndpoint endpoint = new IpRulesEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.compile(); // a bad range fails the route file now, naming the option
        return endpoint;
    }
}
