package dev.caravan.http;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** A head-tier step for tests: answers 401 with a challenge when the request has no X-Token, else lets it go on. */
public final class DenyStep implements Processor {

    @Override
    public void process(Exchange exchange) {
        if (exchange.getMessage().getHeader("X-Token") == null) {
            Answer.status(401).header("WWW-Authenticate", "Bearer realm=\"test\"").sendFrom(exchange);
        }
    }
}
