package dev.caravan.forward;

import dev.caravan.health.HealthSettings;
import dev.caravan.rewrite.BackendAddressRewrite;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/**
 * The options of a {@code caravan-forward:} endpoint, each with its one default. Camel's tooling reads them from
 * these annotations (the generated configurer and component JSON); the README's table is checked against them.
 */
@UriParams
public final class ForwardConfiguration {

    static final String HTTP1 = "http1";

    @UriPath(description = "Backend base URLs, comma-separated: http[s]://host:port[/base]")
    @Metadata(required = true)
    private String targets;

    @UriParam(label = "producer", description = "Drop this path prefix before forwarding (/api/x -> /x); the base path"
            + " of the URL goes in front")
    private String stripPrefix = "";
    @UriParam(label = "producer", defaultValue = "true",
            description = "Send the client's Host (true) or the backend's host:port (false)")
    private boolean preserveHost = true;
    @UriParam(label = "producer", defaultValue = "false", description = "Also send RFC 7239 Forwarded (for, proto,"
            + " host), appended to a trusted proxy's; without it a client's Forwarded is dropped")
    private boolean forwarded;
    @UriParam(label = "producer", defaultValue = "true", description = "Rewrite a Location, Content-Location or"
            + " Refresh that names the backend's own address (or base path) to the address the client used")
    private boolean rewriteRedirects = true;
    @UriParam(label = "producer", description = "from:to for the Domain of cookies the backend sets, e.g."
            + " internal.local:example.com")
    private String cookieDomain = "";
    @UriParam(label = "producer", description = "from:to for the Path prefix of cookies the backend sets, e.g. /v1:/api")
    private String cookiePath = "";
    @UriParam(label = "producer,timeout", defaultValue = "5000", description = "Milliseconds to connect; then 504")
    private long connectTimeout = 5_000;
    @UriParam(label = "producer,timeout", defaultValue = "60000",
            description = "Milliseconds from the end of the request (body included) to the response head; then 504")
    private long responseTimeout = 60_000;
    @UriParam(label = "producer", defaultValue = "http1", enums = "http1,h2c,h2", description = "How Caravan speaks to"
            + " the backends: http1 (HTTP/1.1), h2c (HTTP/2 in clear, prior knowledge; http:// URLs) or h2 (HTTP/2 over"
            + " TLS by ALPN; https:// URLs). gRPC backends need h2c or h2")
    private String protocol = HTTP1;
    @UriParam(label = "producer,timeout", defaultValue = "300000", description = "Milliseconds a WebSocket connection"
            + " (after the backend's 101) may carry nothing in either direction before both sides are closed")
    private long websocketIdleTimeout = 300_000;
    @UriParam(label = "producer,pool", defaultValue = "64", description = "Idle keep-alive connections kept per backend")
    private int poolSize = 64;
    @UriParam(label = "producer,pool", defaultValue = "4000",
            description = "Milliseconds a kept connection may idle; keep it below the backend's own keep-alive timeout")
    private long poolIdleTimeout = 4_000;
    @UriParam(label = "producer,balance", defaultValue = "round-robin",
            enums = "round-robin,random,weighted,least-connections,hash", description = "How a backend is chosen")
    private String balance = "round-robin";
    @UriParam(label = "producer,balance", description = "For weighted: one positive number per URL, e.g. 5,1,1")
    private String weights = "";
    @UriParam(label = "producer,balance", defaultValue = "client-ip",
            description = "For hash: client-ip, header:<name>, cookie:<name> or simple:<expression>")
    private String hashKey = "client-ip";
    @UriParam(label = "producer,balance", defaultValue = "3",
            description = "Backends one request may be tried on (capped at the number of URLs)")
    private int maxAttempts = 3;
    @UriParam(label = "producer,health", defaultValue = "5", description = "Consecutive failures that eject a backend")
    private int failureThreshold = 5;
    @UriParam(label = "producer,health", defaultValue = "10000",
            description = "Milliseconds of the first ejection; it doubles while failures repeat")
    private long ejectTime = 10_000;
    @UriParam(label = "producer,health", defaultValue = "50",
            description = "Never eject more than this share of the backends (percent)")
    private int maxEjectionPercent = 50;
    @UriParam(label = "producer,balance", defaultValue = "0.2",
            description = "Retries per request on average (0.2: at most 20% extra load)")
    private double retryBudget = 0.2;
    @UriParam(label = "producer,balance", description = "Session affinity: Caravan sets this cookie to the backend that"
            + " answered and follows it while that backend is available")
    private String stickyCookie = "";
    @UriParam(label = "producer,balance", defaultValue = "0",
            description = "Milliseconds over which a backend that came back ramps from 10% to its full share")
    private long slowStart;
    @UriParam(label = "producer,health", description = "Turns on active HTTP health checks: GET this path on every"
            + " backend")
    private String healthPath = "";
    @UriParam(label = "producer,health", defaultValue = "5000",
            description = "Milliseconds between health checks (+-10% jitter)")
    private long healthInterval = 5_000;
    @UriParam(label = "producer,health", defaultValue = "2000", description = "Milliseconds a health check may take")
    private long healthTimeout = 2_000;
    @UriParam(label = "producer,health", defaultValue = "3",
            description = "Failed checks in a row that mark a backend down")
    private int unhealthyThreshold = 3;
    @UriParam(label = "producer,health", defaultValue = "2", description = "Good checks in a row that mark it up")
    private int healthyThreshold = 2;
    @UriParam(label = "producer,health", defaultValue = "200-399", description = "Statuses a health check accepts")
    private String healthStatus = "200-399";

    /** Rejects values no request could work with, naming the option. */
    void validate() {
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("responseTimeout", responseTimeout);
        requirePositive("websocketIdleTimeout", websocketIdleTimeout);
        requirePositive("poolSize", poolSize);
        requirePositive("poolIdleTimeout", poolIdleTimeout);
        requirePositive("maxAttempts", maxAttempts);
        requirePositive("failureThreshold", failureThreshold);
        requirePositive("ejectTime", ejectTime);
        requirePositive("healthInterval", healthInterval);
        requirePositive("healthTimeout", healthTimeout);
        requirePositive("healthyThreshold", healthyThreshold);
        requirePositive("unhealthyThreshold", unhealthyThreshold);
        if (slowStart < 0) {
            throw new IllegalArgumentException("slowStart must not be negative");
        }
        HealthSettings.statusRange(healthStatus);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** h2c needs an http:// URL and h2 an https:// one (the protocol and the scheme must not disagree silently). */
    void validateProtocolFor(BackendTarget target) {
        if (protocol.equals("h2c") && target.secure()) {
            throw new IllegalArgumentException("protocol=h2c is HTTP/2 in clear; " + target.origin()
                    + " is https (use protocol=h2)");
        }
        if (protocol.equals("h2") && !target.secure()) {
            throw new IllegalArgumentException("protocol=h2 is HTTP/2 over TLS; " + target.origin()
                    + " is http (use protocol=h2c)");
        }
    }

    PoolSettings poolSettings() {
        return new PoolSettings(connectTimeout, poolSize, poolIdleTimeout);
    }

    /** The active health check, or null when {@code healthPath} is not set. */
    HealthSettings healthSettings() {
        if (healthPath.isBlank()) {
            return null;
        }
        int[] range = HealthSettings.statusRange(healthStatus);
        String path = healthPath.startsWith("/") ? healthPath : "/" + healthPath;
        return new HealthSettings(path, healthInterval, healthTimeout, healthyThreshold, unhealthyThreshold,
                range[0], range[1]);
    }

    public String getTargets() {
        return targets;
    }

    public void setTargets(String targets) {
        this.targets = targets;
    }

    public String getStripPrefix() {
        return stripPrefix;
    }

    public void setStripPrefix(String stripPrefix) {
        this.stripPrefix = stripPrefix;
    }

    public boolean isPreserveHost() {
        return preserveHost;
    }

    public void setPreserveHost(boolean preserveHost) {
        this.preserveHost = preserveHost;
    }

    public boolean isForwarded() {
        return forwarded;
    }

    public void setForwarded(boolean forwarded) {
        this.forwarded = forwarded;
    }

    public boolean isRewriteRedirects() {
        return rewriteRedirects;
    }

    public void setRewriteRedirects(boolean rewriteRedirects) {
        this.rewriteRedirects = rewriteRedirects;
    }

    public String getCookieDomain() {
        return cookieDomain;
    }

    public void setCookieDomain(String cookieDomain) {
        BackendAddressRewrite.mapping("cookieDomain", cookieDomain);
        this.cookieDomain = cookieDomain;
    }

    public String getCookiePath() {
        return cookiePath;
    }

    public void setCookiePath(String cookiePath) {
        BackendAddressRewrite.mapping("cookiePath", cookiePath);
        this.cookiePath = cookiePath;
    }

    public long getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(long connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public long getResponseTimeout() {
        return responseTimeout;
    }

    public void setResponseTimeout(long responseTimeout) {
        this.responseTimeout = responseTimeout;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        String value = protocol.trim().toLowerCase(java.util.Locale.ROOT);
        if (!value.equals(HTTP1) && !value.equals("h2c") && !value.equals("h2")) {
            throw new IllegalArgumentException("protocol must be http1, h2c or h2, was '" + protocol + "'");
        }
        this.protocol = value;
    }

    public long getWebsocketIdleTimeout() {
        return websocketIdleTimeout;
    }

    public void setWebsocketIdleTimeout(long websocketIdleTimeout) {
        this.websocketIdleTimeout = websocketIdleTimeout;
    }

    public int getPoolSize() {
        return poolSize;
    }

    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    public long getPoolIdleTimeout() {
        return poolIdleTimeout;
    }

    public void setPoolIdleTimeout(long poolIdleTimeout) {
        this.poolIdleTimeout = poolIdleTimeout;
    }

    public String getBalance() {
        return balance;
    }

    public void setBalance(String balance) {
        this.balance = balance.trim();
    }

    public String getWeights() {
        return weights;
    }

    public void setWeights(String weights) {
        this.weights = weights;
    }

    public String getHashKey() {
        return hashKey;
    }

    public void setHashKey(String hashKey) {
        this.hashKey = hashKey.trim();
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public int getFailureThreshold() {
        return failureThreshold;
    }

    public void setFailureThreshold(int failureThreshold) {
        this.failureThreshold = failureThreshold;
    }

    public long getEjectTime() {
        return ejectTime;
    }

    public void setEjectTime(long ejectTime) {
        this.ejectTime = ejectTime;
    }

    public int getMaxEjectionPercent() {
        return maxEjectionPercent;
    }

    public void setMaxEjectionPercent(int maxEjectionPercent) {
        this.maxEjectionPercent = maxEjectionPercent;
    }

    public double getRetryBudget() {
        return retryBudget;
    }

    public void setRetryBudget(double retryBudget) {
        this.retryBudget = retryBudget;
    }

    public String getStickyCookie() {
        return stickyCookie;
    }

    public void setStickyCookie(String stickyCookie) {
        this.stickyCookie = stickyCookie.trim();
    }

    public long getSlowStart() {
        return slowStart;
    }

    public void setSlowStart(long slowStart) {
        this.slowStart = slowStart;
    }

    public String getHealthPath() {
        return healthPath;
    }

    public void setHealthPath(String healthPath) {
        this.healthPath = healthPath.trim();
    }

    public long getHealthInterval() {
        return healthInterval;
    }

    public void setHealthInterval(long healthInterval) {
        this.healthInterval = healthInterval;
    }

    public long getHealthTimeout() {
        return healthTimeout;
    }

    public void setHealthTimeout(long healthTimeout) {
        this.healthTimeout = healthTimeout;
    }

    public int getUnhealthyThreshold() {
        return unhealthyThreshold;
    }

    public void setUnhealthyThreshold(int unhealthyThreshold) {
        this.unhealthyThreshold = unhealthyThreshold;
    }

    public int getHealthyThreshold() {
        return healthyThreshold;
    }

    public void setHealthyThreshold(int healthyThreshold) {
        this.healthyThreshold = healthyThreshold;
    }

    public String getHealthStatus() {
        return healthStatus;
    }

    public void setHealthStatus(String healthStatus) {
        this.healthStatus = healthStatus;
    }
}
