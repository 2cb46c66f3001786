package dev.caravan.cache;

import dev.caravan.access.CidrMatcher;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Expression;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * An RFC 9111 shared response cache as a route step. {@code caravan-cache:<name>} before {@code caravan-forward}
 * answers what it can from memory and lets the rest go on, storing the responses it may while they stream to the
 * client; {@code caravan-cache:<name>?action=purge} is an admin endpoint. Options: {@link CacheConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-cache", title = "Caravan Cache",
        syntax = "caravan-cache:name", producerOnly = true, category = Category.CACHE)
public final class CacheEndpoint extends DefaultEndpoint implements dev.caravan.http.OptionalStep {

    @UriParam
    private final CacheConfiguration configuration;
    private ResponseCache cache;

    CacheEndpoint(String uri, CacheComponent component, CacheConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    /** Makes (or finds) the cache as soon as the route is built, so other routes' endpoints can find it. */
    void bindCache() {
        if (configuration.isEnabled()) {
            cache = ResponseCaches.of(getCamelContext())
                    .obtain(getCamelContext(), configuration.getName(), configuration.getMaxBytes());
        }
    }

    public CacheConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public boolean isOff() {
        return !configuration.isEnabled();
    }

    @Override
    public Producer createProducer() {
        if (!configuration.isEnabled()) {
            return new DisabledStep(this);
        }
        cache.resize(configuration.getMaxBytes()); // the last route started decides the bound
        cache.keepBodiesIn(configuration.getSendfileDir(), configuration.getSendfileMinSize());
        if (configuration.getAction().equals("purge")) {
            return new PurgeStep(this, cache, CidrMatcher.parse(configuration.getPurgeAllowFrom()));
        }
        Expression key = null;
        if (!configuration.getKey().isBlank()) {
            key = getCamelContext().resolveLanguage("simple").createExpression(configuration.getKey());
            key.init(getCamelContext());
        }
        return new CacheStep(this, cache, configuration.policy(), configuration, key);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-cache is a step: use it in to:");
    }
}
