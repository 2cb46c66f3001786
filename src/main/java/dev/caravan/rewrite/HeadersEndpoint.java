package dev.caravan.rewrite;

import dev.caravan.http.DirectStep;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.util.function.Supplier;

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
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                HeaderRules.Evaluated edits = rules.constant() != null ? rules.constant() : rules.evaluate(exchange);
                // a request edit works in any route; only a response edit needs the caravan: exchange
                ProxyExchange request = configuration.isResponse()
                        ? ProxyExchange.require(exchange, "caravan-headers:response") : null;
                apply(edits, request, exchange::getMessage);
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
        return (request, message) -> {
            apply(edits, request, message);
            return null;
        };
    }

    /** Response edits go on every response head of the request; request edits onto the route's message, now. */
    private void apply(HeaderRules.Evaluated edits, ProxyExchange request, Supplier<Message> message) {
        if (configuration.isResponse()) {
            request.onResponseHead((proxy, head) -> edits.applyTo(head.headers()));
        } else {
            edits.applyTo(message.get());
        }
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-headers is a step: use it in to:");
    }
}
