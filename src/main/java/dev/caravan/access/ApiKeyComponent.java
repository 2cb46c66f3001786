package dev.caravan.access;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/** The {@code caravan-apikey} component: a head-tier step that lets a request on only with a known API key. */
@Component("caravan-apikey")
public final class ApiKeyComponent extends FileBackedComponent {

    public ApiKeyComponent() {
        super("caravan-apikey");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ApiKeyConfiguration configuration = new ApiKeyConfiguration();
        configuration.setName(StepName.require(remaining, "caravan-apikey"));
        ApiKeyEndpoint endpoint = new ApiKeyEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        // a missing or broken key file fails the route file now, with the file's own line
        files().read(FileBackedComponent.requirePath(configuration.getKeys(), "keys"), ApiKeys.FORMAT);
        return endpoint;
    }
}
