package dev.caravan.observe;

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
 * Chooses how the requests that reach it are access-logged, instead of their listener's setting:
 * {@code caravan-access-log:off}, {@code :json?errorsOnly=true}, {@code :on?sample=0.1}. It marks the request; the
 * line itself is written when the request finishes. Put it first in the route: a request that an earlier step
 * answers is logged as its listener says. Options: {@link AccessLogConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-access-log", title = "Caravan Access Log",
        syntax = "caravan-access-log:mode", producerOnly = true, category = Category.MONITORING)
public final class AccessLogEndpoint extends DefaultEndpoint {

    @UriParam
    private final AccessLogConfiguration configuration;

    AccessLogEndpoint(String uri, AccessLogComponent component, AccessLogConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public AccessLogConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        AccessLogConfiguration.RouteChoice choice = configuration.choice();
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                ObservedRequest observed = ProxyExchange.require(exchange, "caravan-access-log")
                        .attachment(ObservedRequest.class);
                if (observed != null) {
                    observed.routeChoice(choice);
                }
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-access-log is a step: use it in to:");
    }
}
