package dev.caravan.idempotent;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * Idempotent replays (IETF httpapi {@code Idempotency-Key}): {@code caravan-idempotent:<store>} before
 * {@code caravan-forward}. Options: {@link IdempotentConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-idempotent", title = "Caravan Idempotent",
        syntax = "caravan-idempotent:name", producerOnly = true, category = Category.HTTP)
public final class IdempotentEndpoint extends DefaultEndpoint {

    @UriParam
    private final IdempotentConfiguration configuration;
    private IdempotencyStore store;

    IdempotentEndpoint(String uri, IdempotentComponent component, IdempotentConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public IdempotentConfiguration getConfiguration() {
        return configuration;
    }

    void bindStore() {
        store = IdempotencyStores.of(getCamelContext()).obtain(getCamelContext(), configuration.getName(),
                configuration.getMaxBytes(), configuration.getTtl());
    }

    @Override
    public Producer createProducer() {
        if (!configuration.isEnabled()) {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    // turned off
                }
            };
        }
        store.configure(configuration.getMaxBytes(), configuration.getTtl());
        Expression scope = getCamelContext().resolveLanguage("simple").createExpression(configuration.getScope());
        scope.init(getCamelContext());
        return new IdempotentStep(this, store, scope, configuration);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-idempotent is a step: use it in to:");
    }
}
