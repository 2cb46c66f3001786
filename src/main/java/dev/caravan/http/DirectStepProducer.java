package dev.caravan.http;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultProducer;

import java.util.function.Supplier;

/**
 * The Camel producer of a {@link DirectStep}: on the exchange path it makes the same decision, on the exchange's
 * message, and answers with it ({@link Answer#sendFrom}), so the step is written once for both paths.
 */
public abstract class DirectStepProducer extends DefaultProducer implements DirectStep {

    private final String step;

    /** {@code step}: the step's scheme, named when it runs outside a {@code caravan:} route. */
    protected DirectStepProducer(Endpoint endpoint, String step) {
        super(endpoint);
        this.step = step;
    }

    /** A producer for a step that holds nothing to start or stop. */
    public static Producer of(Endpoint endpoint, String step, DirectStep decision) {
        return new DirectStepProducer(endpoint, step) {
            @Override
            public Answer decide(ProxyExchange request, Supplier<Message> message) {
                return decision.decide(request, message);
            }
        };
    }

    @Override
    public final void process(Exchange exchange) {
        Answer answer = decide(ProxyExchange.require(exchange, step), exchange::getMessage);
        if (answer != null) {
            answer.sendFrom(exchange);
        }
    }
}
