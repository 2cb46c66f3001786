package dev.caravan.access;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * CORS for a route: {@code caravan-cors:web?origins=https://app.example.com&credentials=true}. A preflight
 * ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is answered here, 204 with the allowed
 * methods and headers, or 403 without CORS headers when the policy does not allow it; it never reaches a backend. Every
 * other response of the request (the backend's, a route's answer, an error page) gets the CORS headers for an allowed
 * origin and {@code Vary: Origin}. Put it first in the route, before authentication: preflights carry no credentials.
 * Options: {@link CorsConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-cors", title = "Caravan CORS",
        syntax = "caravan-cors:name", producerOnly = true, category = Category.HTTP)
public final class CorsEndpoint extends DefaultEndpoint implements DirectStep.Source {

    private static final Logger LOG = LoggerFactory.getLogger(CorsEndpoint.class);

    @UriParam
    private final CorsConfiguration configuration;

    CorsEndpoint(String uri, CorsComponent component, CorsConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public CorsConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        return DirectStepProducer.of(this, "caravan-cors", directStep());
    }

    /** Reads the request head and answers preflights: no exchange needed (a forward-only route's fast path). */
    @Override
    public DirectStep directStep() {
        CorsPolicy policy = configuration.policy();
        return (proxy, message) -> {
            HttpHeaders request = proxy.head().headers();
            List<String> origins = request.getAll("Origin");
            String origin = origins.size() == 1 ? origins.get(0).trim() : null;
            boolean allowed = origin != null && policy.allowsOrigin(origin);
            String requestedMethod = request.get("Access-Control-Request-Method");
            if (origin != null && requestedMethod != null && proxy.method().equals(HttpMethod.OPTIONS)) {
                String requestedHeaders = request.get("Access-Control-Request-Headers");
                if (allowed && policy.allowsMethod(requestedMethod) && policy.allowsHeaders(requestedHeaders)) {
                    proxy.onResponseHead((p, head) -> policy.preflightHeaders(head.headers(), origin,
                            requestedHeaders));
                    return Answer.status(204);
                } else {
                    LOG.debug("caravan-cors:{} refused a preflight from {} for {}", configuration.getName(), origin,
                            requestedMethod);
                    proxy.onResponseHead((p, head) -> policy.actualHeaders(head.headers(), null));
                    return Answer.status(403);
                }
            }
            String allowedOrigin = allowed ? origin : null;
            proxy.onResponseHead((p, head) -> policy.actualHeaders(head.headers(), allowedOrigin));
            return null;
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-cors is a step: use it in to:");
    }
}
