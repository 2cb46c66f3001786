package dev.caravan.forward;

import dev.caravan.balance.Backend;
import dev.caravan.balance.Backends;
import dev.caravan.balance.BalancePolicy;
import dev.caravan.balance.ConsistentHashPolicy;
import dev.caravan.balance.LeastConnectionsPolicy;
import dev.caravan.balance.RandomPolicy;
import dev.caravan.balance.RoundRobinPolicy;
import dev.caravan.balance.Upstream;
import dev.caravan.balance.UpstreamSettings;
import dev.caravan.balance.WeightedPolicy;
import dev.caravan.health.HealthChecks;
import dev.caravan.http.DirectForward;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sends the route's request to one of its backends (by the balance policy, with failover) and streams the answer back.
 *
 * <p>{@code caravan-forward:http[s]://host:port[/base][,http[s]://host2:port2...][?options]}; options:
 * {@link ForwardConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-forward", title = "Caravan Forward",
        syntax = "caravan-forward:targets", producerOnly = true, category = Category.HTTP)
public final class ForwardEndpoint extends DefaultEndpoint implements DirectForward.Source {

    @UriParam
    private final ForwardConfiguration configuration;
    private final List<BackendTarget> targets;
    private final BackendPools pools;
    private final Backends backends;
    private final HealthChecks healthChecks;

    ForwardEndpoint(String uri, ForwardComponent component, ForwardConfiguration configuration, BackendPools pools,
                    Backends backends, HealthChecks healthChecks) {
        super(uri, component);
        this.configuration = configuration;
        this.targets = Arrays.stream(configuration.getTargets().split(",")).map(BackendTarget::parse).toList();
        this.pools = pools;
        this.backends = backends;
        this.healthChecks = healthChecks;
    }

    public ForwardConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        ForwardConfiguration c = configuration;
        c.validate();
        List<Backend> group = targets.stream().map(backends::backend).toList();
        Map<Backend, ConnectionSource> poolByBackend = new IdentityHashMap<>();
        Map<Backend, BackendTarget> targetByBackend = new IdentityHashMap<>();
        for (int i = 0; i < group.size(); i++) {
            c.validateProtocolFor(targets.get(i));
            poolByBackend.put(group.get(i), pools.pool(targets.get(i), c.poolSettings(), c.getProtocol()));
            targetByBackend.put(group.get(i), targets.get(i));
        }
        Upstream upstream = new Upstream(group, policy(group), new UpstreamSettings(
                Math.min(c.getMaxAttempts(), group.size()), c.getFailureThreshold(), c.getEjectTime(),
                c.getMaxEjectionPercent(), c.getRetryBudget(), c.getSlowStart()));
        return new ForwardProducer(this, upstream, poolByBackend, targetByBackend, new TargetRewrite(c.getStripPrefix()),
                affinityKey(), healthChecks, c.healthSettings());
    }

    /**
     * A forwarder for a forward-only route, or null when an option reads the request through the exchange: a sticky
     * cookie (it edits the response's {@code Set-Cookie}), or a hash keyed on anything but the client address.
     */
    @Override
    public DirectForward directForward() {
        boolean keyedOnExchange = configuration.getBalance().equals("hash")
                && !configuration.getHashKey().equals("client-ip");
        if (!configuration.getStickyCookie().isBlank() || keyedOnExchange) {
            return null;
        }
        return (ForwardProducer) createProducer();
    }

    private BalancePolicy policy(List<Backend> group) {
        return switch (configuration.getBalance()) {
            case "round-robin" -> new RoundRobinPolicy();
            case "random" -> new RandomPolicy();
            case "least-connections" -> new LeastConnectionsPolicy();
            case "hash" -> new ConsistentHashPolicy(group);
            case "weighted" -> new WeightedPolicy(weightsOf(group));
            default -> throw new IllegalArgumentException("Unknown balance policy '" + configuration.getBalance()
                    + "'; use round-robin, random, weighted, least-connections or hash");
        };
    }

    private Map<Backend, Integer> weightsOf(List<Backend> group) {
        String weights = configuration.getWeights();
        String[] parts = weights.isBlank() ? new String[0] : weights.split(",");
        if (parts.length != group.size()) {
            throw new IllegalArgumentException("weights needs one number per backend (" + group.size() + "), got '"
                    + weights + "'");
        }
        Map<Backend, Integer> byBackend = new IdentityHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            int weight = Integer.parseInt(parts[i].trim());
            if (weight <= 0) {
                throw new IllegalArgumentException("weights must be positive, got '" + weights + "'");
            }
            byBackend.put(group.get(i), weight);
        }
        return byBackend;
    }

    /** What the hash policy keys on: the client address, a request header, a cookie, or a Simple expression. */
    private Function<Exchange, String> affinityKey() {
        String hashKey = configuration.getHashKey();
        if (hashKey.startsWith("header:")) {
            String name = hashKey.substring(7);
            return exchange -> exchange.getMessage().getHeader(name, String.class);
        }
        if (hashKey.startsWith("cookie:")) {
            String name = hashKey.substring(7);
            return exchange -> CookieValue.of(exchange.getMessage().getHeader("Cookie", String.class), name);
        }
        if (hashKey.startsWith("simple:")) {
            org.apache.camel.Expression expression = getCamelContext().resolveLanguage("simple")
                    .createExpression(hashKey.substring(7));
            expression.init(getCamelContext());
            return exchange -> expression.evaluate(exchange, String.class);
        }
        if (!hashKey.equals("client-ip")) {
            throw new IllegalArgumentException(
                    "hashKey must be client-ip, header:<name>, cookie:<name> or simple:<expression>");
        }
        return exchange -> ProxyExchange.of(exchange).clientIp();
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-forward only sends; receive with a caravan: endpoint");
    }

    @Override
    public boolean isRemote() {
        return true;
    }
}
