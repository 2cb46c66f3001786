package dev.caravan.harden;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-security-headers} component: a head-tier step that adds browser security headers. */
@Component("caravan-security-headers")
public final class SecurityHeadersComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SecurityHeadersConfiguration configuration = new SecurityHeadersConfiguration();
        configuration.setWhere(remaining == null || remaining.isEmpty() ? "response" : remaining);
        SecurityHeadersEndpoint endpoint = new SecurityHeadersEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.headers();
        return endpoint;
    }
}
