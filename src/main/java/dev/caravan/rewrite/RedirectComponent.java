package dev.caravan.rewrite;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/** The {@code caravan-redirect} component: a head-tier step that answers with a redirect. */
@Component("caravan-redirect")
public final class RedirectComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RedirectConfiguration configuration = new RedirectConfiguration();
        try {
            configuration.setStatus(Integer.parseInt(remaining.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("caravan-redirect needs a status, e.g. caravan-redirect:301, was '"
                    + remaining + "'");
        }
        RedirectEndpoint endpoint = new RedirectEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        endpoint.compile();
        return endpoint;
    }
}
