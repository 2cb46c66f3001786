package dev.caravan.harden;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * Hides the backends from clients, in one line of a route: {@code caravan-hide:} takes {@code Server},
 * {@code X-Powered-By}, {@code X-AspNet-Version}, {@code X-AspNetMvc-Version}, {@code X-Runtime} and {@code Via} out
 * of every response, restores standard reason phrases, and with {@code replaceErrors=5xx} answers backends' server
 * errors with the gateway's own page. Options: {@link HideConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-hide", title = "Caravan Hide",
        syntax = "caravan-hide:what", producerOnly = true, category = Category.HTTP)
public final class HideEndpoint extends DefaultEndpoint {

    @UriParam
    private final HideConfiguration configuration;

    HideEndpoint(String uri, HideComponent component, HideConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public HideConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        BackendHiding hiding = new BackendHiding(configuration);
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                hiding.apply(exchange);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-hide is a step: use it in to:");
    }
}
