package dev.caravan.cache;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/** A step turned off with {@code enabled=false}: the request goes on untouched. */
final class DisabledStep extends DefaultProducer {

    DisabledStep(Endpoint endpoint) {
        super(endpoint);
    }

    @Override
    public void process(Exchange exchange) {
        // nothing: the route goes on as if the step were not there
    }
}
