package dev.caravan.access;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/**
 * The {@code caravan-jwt} component: a head-tier step that lets a request on only with a valid bearer JWT. It owns the
 * loaded JWK set files and the fetched JWK set URLs, shared by its steps and kept across route reloads.
 */
@Component("caravan-jwt")
public final class JwtComponent extends FileBackedComponent {

    private final RemoteJwkSets remoteSets = new RemoteJwkSets(() -> files().scheduler());

    public JwtComponent() {
        super("caravan-jwt");
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        JwtConfiguration configuration = new JwtConfiguration();
        configuration.setName(StepName.require(remaining, "caravan-jwt"));
        JwtEndpoint endpoint = new JwtEndpoint(uri, this, configuration);
        setProperties(endpoint, parameters);
        configuration.validate();
        if (!configuration.getJwks().isBlank() && !configuration.isUrl()) {
            files().read(FileBackedComponent.requirePath(configuration.getJwks(), "jwks"), JwkSets.FORMAT);
        }
        return endpoint;
    }

    RemoteJwkSets remoteSets() {
        return remoteSets;
    }

    @Override
    protected void doStop() throws Exception {
        remoteSets.close();
        super.doStop();
    }
}
