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
import dev.caravan.health.HealthSettings;
import dev.caravan.http.ProxyRequest;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code caravan-forward:http[s]://host:port[/base][,http[s]://host2:port2...][?options]}: sends the route's request to one
 * of the backends (by the {@code balance} policy, with failover) and streams the answer back. See the README.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-forward", title = "Caravan Forward",
        syntax = "caravan-forward:targets", producerOnly = true, category = Category.HTTP)
public final class ForwardEndpoint extends DefaultEndpoint {

    private final List<BackendTarget> targets;
    private final BackendPools pools;
    private final Backends backends;
    private String stripPrefix = "";
    private boolean preserveHost = true;
    private long connectTimeout = 5_000;
    private long responseTimeout = 60_000;
    private int poolSize = 64;
    private long poolIdleTimeout = 4_000;
    private String balance = "round-robin";
    private String weights = "";
    private String hashKey = "client-ip";
    private int maxAttempts = 3;
    private int failureThreshold = 5;
    private long ejectTime = 10_000;
    private int maxEjectionPercent = 50;
    private double retryBudget = 0.2;
    private String healthPath = "";
    private long healthInterval = 5_000;
    private long healthTimeout = 2_000;
    private int healthyThreshold = 2;
    private int unhealthyThreshold = 3;
    private String healthStatus = "200-399";
    private long slowStart;
    private String stickyCookie = "";
    private final HealthChecks healthChecks;

    ForwardEndpoint(String uri, ForwardComponent component, String targets, BackendPools pools, Backends backends,
                    HealthChecks healthChecks) {
        super(uri, component);
        this.targets = Arrays.stream(targets.split(",")).map(BackendTarget::parse).toList();
        this.pools = pools;
        this.backends = backends;
        this.healthChecks = healthChecks;
    }

    @Override
    public Producer createProducer() {
        PoolSettings settings = new PoolSettings(connectTimeout, poolSize, poolIdleTimeout);
        List<Backend> group = targets.stream().map(backends::backend).toList();
        Map<Backend, BackendPool> poolByBackend = new IdentityHashMap<>();
        Map<Backend, BackendTarget> targetByBackend = new IdentityHashMap<>();
        for (int i = 0; i < group.size(); i++) {
            poolByBackend.put(group.get(i), pools.pool(targets.get(i), settings));
            targetByBackend.put(group.get(i), targets.get(i));
        }
        Upstream upstream = new Upstream(group, policy(group), new UpstreamSettings(
                Math.min(maxAttempts, group.size()), failureThreshold, ejectTime, maxEjectionPercent, retryBudget,
                slowStart));
        return new ForwardProducer(this, upstream, poolByBackend, targetByBackend, new TargetRewrite(stripPrefix),
                preserveHost, responseTimeout, affinityKey(), healthChecks, healthSettings(),
                stickyCookie.isBlank() ? null : stickyCookie);
    }

    /** The active health check, or null when {@code healthPath} is not set. */
    private HealthSettings healthSettings() {
        if (healthPath.isBlank()) {
            return null;
        }
        int[] range = HealthSettings.statusRange(healthStatus);
        String path = healthPath.startsWith("/") ? healthPath : "/" + healthPath;
        return new HealthSettings(path, healthInterval, healthTimeout, healthyThreshold, unhealthyThreshold,
                range[0], range[1]);
    }

    private BalancePolicy policy(List<Backend> group) {
        return switch (balance) {
            case "round-robin" -> new RoundRobinPolicy();
            case "random" -> new RandomPolicy();
            case "least-connections" -> new LeastConnectionsPolicy();
            case "hash" -> new ConsistentHashPolicy(group);
            case "weighted" -> new WeightedPolicy(weightsOf(group));
            default -> throw new IllegalArgumentException("Unknown balance policy '" + balance
                    + "'; use round-robin, random, weighted, least-connections or hash");
        };
    }

    private Map<Backend, Integer> weightsOf(List<Backend> group) {
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

    /** What the hash policy keys on: the client address, a request header, or a cookie. */
    private Function<Exchange, String> affinityKey() {
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
        return exchange -> exchange.getProperty(ProxyRequest.PROPERTY, ProxyRequest.class).clientIp();
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-forward only sends; receive with a caravan: endpoint");
    }

    @Override
    public boolean isRemote() {
        return true;
    }

    /** Removes this path prefix from the request path before forwarding (e.g. {@code /api}). */
    public void setStripPrefix(String stripPrefix) {
        this.stripPrefix = stripPrefix;
    }

    /** Send the client's {@code Host} (true, default) or the backend's own host:port (false). */
    public void setPreserveHost(boolean preserveHost) {
        this.preserveHost = preserveHost;
    }

    /** Milliseconds to wait for a backend connection (then 504). */
    public void setConnectTimeout(long connectTimeout) {
        this.connectTimeout = requirePositive("connectTimeout", connectTimeout);
    }

    /** Milliseconds to wait for the response head once the request is sent (then 504). */
    public void setResponseTimeout(long responseTimeout) {
        this.responseTimeout = requirePositive("responseTimeout", responseTimeout);
    }

    /** Idle keep-alive connections kept per backend. */
    public void setPoolSize(int poolSize) {
        this.poolSize = (int) requirePositive("poolSize", poolSize);
    }

    /** Milliseconds an idle kept connection lives; keep it below the backend's keep-alive timeout. */
    public void setPoolIdleTimeout(long poolIdleTimeout) {
        this.poolIdleTimeout = requirePositive("poolIdleTimeout", poolIdleTimeout);
    }

    /** round-robin (default), random, weighted, least-connections or hash. */
    public void setBalance(String balance) {
        this.balance = balance.trim();
    }

    /** For {@code balance=weighted}: one positive number per backend, e.g. {@code 5,1,1}. */
    public void setWeights(String weights) {
        this.weights = weights;
    }

    /** For {@code balance=hash}: client-ip (default), header:&lt;name&gt;, cookie:&lt;name&gt; or simple:&lt;expression&gt;. */
    public void setHashKey(String hashKey) {
        this.hashKey = hashKey.trim();
    }

    /** Backends one request may be tried on (default 3, at most the number of backends). */
    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = (int) requirePositive("maxAttempts", maxAttempts);
    }

    /** Consecutive failures that eject a backend (default 5). */
    public void setFailureThreshold(int failureThreshold) {
        this.failureThreshold = (int) requirePositive("failureThreshold", failureThreshold);
    }

    /** Milliseconds of the first ejection; repeated ejections double it (default 10000). */
    public void setEjectTime(long ejectTime) {
        this.ejectTime = requirePositive("ejectTime", ejectTime);
    }

    /** Never eject more than this percentage of the backends (default 50). */
    public void setMaxEjectionPercent(int maxEjectionPercent) {
        this.maxEjectionPercent = maxEjectionPercent;
    }

    /** Retries allowed per request on average (default 0.2: at most 20% extra load). */
    public void setRetryBudget(double retryBudget) {
        this.retryBudget = retryBudget;
    }

    /** Milliseconds over which a backend that came back ramps up to its full share (default 0: off). */
    public void setSlowStart(long slowStart) {
        if (slowStart < 0) {
            throw new IllegalArgumentException("slowStart must not be negative");
        }
        this.slowStart = slowStart;
    }

    /**
     * Session affinity: the name of a cookie Caravan sets to the backend that answered, and follows while that backend
     * is available (default empty: off).
     */
    public void setStickyCookie(String stickyCookie) {
        this.stickyCookie = stickyCookie.trim();
    }

    /** Path of an active HTTP health check on every backend (off when empty), e.g. {@code /health}. */
    public void setHealthPath(String healthPath) {
        this.healthPath = healthPath.trim();
    }

    /** Milliseconds between health checks (default 5000, ±10% jitter). */
    public void setHealthInterval(long healthInterval) {
        this.healthInterval = requirePositive("healthInterval", healthInterval);
    }

    /** Milliseconds a health check may take (default 2000). */
    public void setHealthTimeout(long healthTimeout) {
        this.healthTimeout = requirePositive("healthTimeout", healthTimeout);
    }

    /** Consecutive good checks that mark a backend up (default 2). */
    public void setHealthyThreshold(int healthyThreshold) {
        this.healthyThreshold = (int) requirePositive("healthyThreshold", healthyThreshold);
    }

    /** Consecutive failed checks that mark a backend down (default 3). */
    public void setUnhealthyThreshold(int unhealthyThreshold) {
        this.unhealthyThreshold = (int) requirePositive("unhealthyThreshold", unhealthyThreshold);
    }

    /** Statuses a health check accepts (default {@code 200-399}). */
    public void setHealthStatus(String healthStatus) {
        HealthSettings.statusRange(healthStatus);
        this.healthStatus = healthStatus;
    }

    private static long requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
