package dev.caravan.config;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.impl.engine.AbstractCamelContext;
import org.apache.camel.processor.InterceptSendToEndpointCallback;
import org.apache.camel.spi.EndpointStrategy;
import org.apache.camel.spi.InterceptSendToEndpoint;
import org.apache.camel.spi.NormalizedEndpointUri;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Camel 4.18 implements {@code interceptSendToEndpoint} by registering a context-wide callback that wraps matching
 * endpoints, and never unregisters it: once wrapped, an endpoint keeps the first interceptor for the context's life,
 * so a changed {@code routeConfiguration} would not reach routes rebuilt with it. When shared definitions change,
 * the reloader takes these callbacks and wrappers away before rebuilding (routes already running keep the endpoints
 * they hold), and puts them back if the change is rolled back. Camel offers no API for this, hence the reflection on
 * its endpoint-strategy set; if that fails the change still applies, with a warning.
 */
final class SendInterceptors {

    private final Set<EndpointStrategy> strategies;
    private final Map<NormalizedEndpointUri, Endpoint> registry;

    private SendInterceptors(Set<EndpointStrategy> strategies, Map<NormalizedEndpointUri, Endpoint> registry) {
        this.strategies = strategies;
        this.registry = registry;
    }

    /** Removes every interceptor callback and unwraps every intercepted endpoint; returns what it removed. */
    static SendInterceptors reset(CamelContext context) throws ReflectiveOperationException {
        Set<EndpointStrategy> all = strategies(context);
        Set<EndpointStrategy> removed = new HashSet<>();
        for (EndpointStrategy strategy : all) {
            if (strategy instanceof InterceptSendToEndpointCallback) {
                removed.add(strategy);
            }
        }
        all.removeAll(removed);
        Map<NormalizedEndpointUri, Endpoint> wrapped = new HashMap<>();
        context.getEndpointRegistry().forEach((key, endpoint) -> {
            if (endpoint instanceof InterceptSendToEndpoint) {
                wrapped.put(key, endpoint);
            }
        });
        wrapped.forEach((key, endpoint) ->
                context.getEndpointRegistry().put(key, ((InterceptSendToEndpoint) endpoint).getOriginalEndpoint()));
        return new SendInterceptors(removed, wrapped);
    }

    /** Undoes {@link #reset} (a rolled-back change): the callbacks and wrapped endpoints come back, new ones go. */
    void restore(CamelContext context) throws ReflectiveOperationException {
        Set<EndpointStrategy> all = strategies(context);
        all.removeIf(s -> s instanceof InterceptSendToEndpointCallback);
        all.addAll(strategies);
        registry.forEach(context.getEndpointRegistry()::put);
    }

    @SuppressWarnings("unchecked")
    private static Set<EndpointStrategy> strategies(CamelContext context) throws ReflectiveOperationException {
        Field field = AbstractCamelContext.class.getDeclaredField("endpointStrategies");
        field.setAccessible(true);
        return (Set<EndpointStrategy>) field.get(context);
    }
}
