package dev.caravan.rewrite;

import dev.caravan.http.DirectStep;
import dev.caravan.http.ProxyExchange;
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
 * Edits the headers of a proxied request or of its response: remove, set, add, set-if-absent.
 *
 * <p>{@code caravan-headers:request?set.X-Tenant=acme&remove=Cookie} edits what the backend gets (run it before
 * {@code caravan-forward}); {@code caravan-headers:response?setIfAbsent.X-Frame-Options=DENY&remove=Server} edits every
 * response the client gets for the request, wherever in the route it runs: the backend's, one the route makes, or the
 * gateway's error page. Options: {@link HeadersConfiguration}.
 *
 * <p>Edits with fixed values need no exchange, so a route of such steps and a {@code caravan-forward} keeps the fast
 * path; a value with a Simple expression ({@code ${...}}) is evaluated on the route's exchange.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-headers", title = "Caravan Headers",
        syntax = "caravan-headers:direction", producerOnly = true, category = Category.HTTP)
public final class HeadersEndpoint extends DefaultEndpoint implements DirectStep.Source {

    @UriParam
    private final HeadersConfiguration configuration;
    private HeaderRules rules;

    HeadersEndpoint(String uri, HeadersComponent component, HeadersConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public HeadersConfiguration getConfiguration() {
        return configuration;
    }

    /** Compiled once per endpoint: the producer and the fast-path step share them. */
    private synchronized HeaderRules rules() {
        if (rules == null) {
            rules = new HeaderRules(getCamelContext(), configuration.getRemove(), configuration.getSet(),
                    configuration.getAdd(), configuration.getSetIfAbsent());
        }
        return rules;
    }

    @Override
    public Producer createProducer() {
        HeaderRules rules = rules();
        boolean response = configuration.isResponse();
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                HeaderRules.Evaluated edits = rules.constant() != null ? rules.constant() : rules.evaluate(exchange);
                if (response) {
                    onEveryResponse(ProxyExchange.require(exchange, "caravan-headers:response"), edits);
                } else {
                    edits.applyTo(exchange.getMessage());
                }
            }
        };
    }

    /** Fixed edits, as the producer makes them; null when a value is a Simple expression (it needs the exchange). */
    @Override
    public DirectStep directStep() {
        HeaderRules.Evaluated edits = rules().constant();
        if (edits == null) {
            return null;
        }
        boolean response = configuration.isResponse();
        return (request, message) -> {
            if (response) {
                onEveryResponse(request, edits);
            } else {
                edits.applyTo(message.get());
            }
            return null;
        };
    }

    private static void onEveryResponse(ProxyExchange request, HeaderRules.Evaluated edits) {
        request.onResponseHead((proxy, head) -> edits.applyTo(head.headers()));
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-headers is a step: use it in to:");
    }
}
