package dev.caravan.forward;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Arrays;
import java.util.List;

/**
 * {@code caravan-forward:http://host:port[/base][,http://host2:port2...][?options]}: sends the route's request to a
 * backend (round-robin over several) and streams the answer back. See the README for the options.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-forward", title = "Caravan Forward",
        syntax = "caravan-forward:targets", producerOnly = true, category = Category.HTTP)
public final class ForwardEndpoint extends DefaultEndpoint {

    private final List<BackendTarget> targets;
    private final BackendPools pools;
    private String stripPrefix = "";
    private boolean preserveHost = true;
    private long connectTimeout = 5_000;
    private long responseTimeout = 60_000;
    private int poolSize = 64;
    private long poolIdleTimeout = 4_000;

    ForwardEndpoint(String uri, ForwardComponent component, String targets, BackendPools pools) {
        super(uri, component);
        this.targets = Arrays.stream(targets.split(",")).map(BackendTarget::parse).toList();
        this.pools = pools;
    }

    @Override
    public Producer createProducer() {
        PoolSettings settings = new PoolSettings(connectTimeout, poolSize, poolIdleTimeout);
        List<BackendPool> backendPools = targets.stream().map(t -> pools.pool(t, settings)).toList();
        return new ForwardProducer(this, targets, backendPools, new TargetRewrite(stripPrefix), preserveHost,
                responseTimeout);
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

    private static long requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
