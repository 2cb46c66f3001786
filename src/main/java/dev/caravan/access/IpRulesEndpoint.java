package dev.caravan.access;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allows or denies a request by its client address ({@link ProxyExchange#clientIp()}: behind trusted proxies, the
 * address they report): {@code caravan-ip:office?rules=allow 10.0.0.0/8, deny all}. A denied request gets 403 and
 * never reaches a backend. Options: {@link IpRulesConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-ip", title = "Caravan IP Rules",
        syntax = "caravan-ip:name", producerOnly = true, category = Category.HTTP)
public final class IpRulesEndpoint extends DefaultEndpoint implements DirectStep.Source {

    private static final Logger LOG = LoggerFactory.getLogger(IpRulesEndpoint.class);

    @UriParam
    private final IpRulesConfiguration configuration;

    IpRulesEndpoint(String uri, IpRulesComponent component, IpRulesConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public IpRulesConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        return DirectStepProducer.of(this, "caravan-ip", directStep());
    }

    /** The decision on the client address alone: a forward-only route runs it without an exchange. */
    @Override
    public DirectStep directStep() {
        IpRules rules = configuration.compile();
        String name = configuration.getName();
        return (request, message) -> {
            String client = request.clientIp();
            if (rules.allows(CidrMatcher.literal(client))) {
                return null;
            }
            LOG.debug("caravan-ip:{} denied {}", name, client);
            return Answer.status(403);
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-ip is a step: use it in to:");
    }
}
