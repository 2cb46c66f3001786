package dev.caravan.limits;

import dev.caravan.config.ValidationContext;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A rate limit as a route step: {@code caravan-rate-limit:api?rate=100/s&burst=20&key=header:X-Api-Key}. A token
 * bucket per key; a request over the limit gets 429 with {@code Retry-After} and the RateLimit fields, and the route
 * stops there. Steps may stack (each is its own limit, by its name); steps in several routes that name the same limit
 * share it. Options: {@link RateLimitConfiguration}.
 *
 * <p>While the endpoint is in use it holds a declaration of its named limit in the component's {@link RateLimits};
 * when Camel removes it (its route was removed or reloaded), the declaration goes, so a reload may change the limit.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-rate-limit", title = "Caravan Rate Limit",
        syntax = "caravan-rate-limit:name", producerOnly = true, category = Category.HTTP)
public final class RateLimitEndpoint extends DefaultEndpoint implements DirectStep.Source {

    @UriParam
    private final RateLimitConfiguration configuration;
    private final RateLimits limits;
    private LimitSettings settings;
    private RequestKey key;
    private RateLimiter limiter;

    RateLimitEndpoint(String uri, RateLimitComponent component, RateLimitConfiguration configuration,
                      RateLimits limits) {
        super(uri, component);
        this.configuration = configuration;
        this.limits = limits;
    }

    public RateLimitConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Checks the options, compiles the key, and takes the named limit (refused if a step in use declared it with other
     * settings).
     */
    synchronized void declare() {
        if (limiter == null) {
            settings = configuration.settings();
            key = RequestKey.parse(getCamelContext(), settings.key(), settings.ipv6Prefix());
            limiter = limits.declare(configuration.getName(), settings,
                    !ValidationContext.isValidation(getCamelContext()));
        }
    }

    /** The limit this step counts against (null while the endpoint is stopped). */
    public synchronized RateLimiter limiter() {
        return limiter;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        super.doStart();
        declare(); // again, if Camel stopped and restarted this endpoint
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (limiter != null) {
            limits.release(limiter);
            limiter = null;
        }
        super.doStop();
    }

    @Override
    public Producer createProducer() {
        return DirectStepProducer.of(this, "caravan-rate-limit", newStep());
    }

    /**
     * With a {@code client-ip} key the step decides on the request alone and runs on a forward-only route's fast path;
     * a key from a header, cookie or expression reads what earlier steps left, so it keeps the exchange (null).
     */
    @Override
    public synchronized DirectStep directStep() {
        if (key == null || !key.readsOnlyTheRequest()) {
            return null;
        }
        return newStep();
    }

    private synchronized RateLimitStep newStep() {
        RateLimiter taken = limiter();
        if (taken == null) {
            throw new IllegalStateException("caravan-rate-limit:" + configuration.getName() + " is stopped");
        }
        return new RateLimitStep(taken, key, configuration.missingKeyRule(), settings.ipv6Prefix(),
                new RateLimitHeaders(configuration.getName(), settings.policy(),
                        RateLimitHeaders.form(configuration.getHeaders())),
                configuration.isSuccessHeaders());
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-rate-limit is a step: use it in to:");
    }
}
