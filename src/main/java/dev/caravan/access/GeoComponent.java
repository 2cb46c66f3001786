package dev.caravan.access;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/**
 * The {@code caravan-geo} component: a head-tier step that lets a request on or answers 403 by the client's country.
 * It owns the loaded databases, shared by its steps and kept across route reloads.
 */
@Component("caravan-geo")
public final class GeoComponent extends FileBackedComponent {

    public GeoComponent() {
        super("caravan-geo");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        GeoConfiguration configuration = new GeoConfiguration();
        configuration.setName(StepName.require(remaining, "caravan-geo"));
        GeoEndpoint endpoint = new GeoEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        files().read(FileBackedComponent.requirePath(configuration.getDatabase(), "database"), GeoDatabase.FORMAT);
        return endpoint;
    }
}
