package dev.caravan.limits;

import com.github.benmanes.caffeine.cache.Ticker;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code caravan-rate-limit} component: a head-tier step that answers 429 over a limit. It owns the context's
 * {@link RateLimits}, so named limits and their buckets outlive route reloads.
 */
@Component("caravan-rate-limit")
public final class RateLimitComponent extends DefaultComponent {

    private final RateLimits limits;

    public RateLimitComponent() {
        this(Ticker.systemTicker());
    }

    /** With a clock of the caller's choosing (tests). */
    public RateLimitComponent(Ticker ticker) {
        this.limits = new RateLimits(ticker);
    }

    /** The named limits, with their counters. */
    public RateLimits limits() {
        return limits;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RateLimitConfiguration configuration = new RateLimitConfiguration();
        configuration.setName(remaining);
        RateLimitEndpoint endpoint = new RateLimitEndpoint(uri, this, configuration, limits);
        setProperties(endpoint, parameters);
        endpoint.declare(); // now, so a bad option or a conflicting limit fails with the route file's line
        return endpoint;
    }
}
