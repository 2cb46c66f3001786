package dev.caravan.idempotent;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The options of a {@code caravan-idempotent:} step, each with its one default. */
@UriParams
public final class IdempotentConfiguration {

    @UriPath(description = "Name of the key store; routes naming the same store share it (keys are still per route)")
    @Metadata(required = true)
    private String name;
    @UriParam(defaultValue = "true", description = "false turns the step into a no-op")
    private boolean enabled = true;
    @UriParam(defaultValue = "POST,PATCH", description = "Methods whose Idempotency-Key is honoured")
    private String methods = "POST,PATCH";
    @UriParam(defaultValue = "86400", description = "Seconds a key and its reply are kept after the first request")
    private long ttl = 86400;
    @UriParam(defaultValue = "65536", description = "Largest request body of a request with a key (it is read before"
            + " forwarding, to fingerprint it); larger ones get 413")
    private int maxBodySize = 65536;
    @UriParam(defaultValue = "1048576", description = "Largest reply kept for replays; a retry of a request whose"
            + " reply was larger gets 409")
    private int maxResponseSize = 1024 * 1024;
    @UriParam(defaultValue = "67108864", description = "Bytes the store may hold (keys, fingerprints, replies)")
    private long maxBytes = 64L * 1024 * 1024;
    @UriParam(defaultValue = "${header.CaravanClientIp}", description = "A Simple expression for whose keys these"
            + " are: one client can never replay another's reply (use the authenticated identity once there is one)")
    private String scope = "${header.CaravanClientIp}";
    @UriParam(defaultValue = "conflict", enums = "conflict,wait", description = "A duplicate that arrives while the"
            + " first request is in flight: conflict answers 409 at once; wait parks it until the first ends, then"
            + " replays its reply")
    private String onInFlight = "conflict";
    @UriParam(defaultValue = "10000", description = "For onInFlight=wait: milliseconds a duplicate waits before it"
            + " gets 409")
    private long waitTimeout = 10000;

    void validate() {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("caravan-idempotent: needs a store name, e.g. caravan-idempotent:orders");
        }
        if (!onInFlight.equals("conflict") && !onInFlight.equals("wait")) {
            throw new IllegalArgumentException("caravan-idempotent onInFlight must be conflict or wait, was '"
                    + onInFlight + "'");
        }
        if (ttl <= 0 || maxBodySize < 0 || maxResponseSize < 0 || maxBytes <= 0 || waitTimeout < 0) {
            throw new IllegalArgumentException("caravan-idempotent ttl and maxBytes must be positive; maxBodySize,"
                    + " maxResponseSize and waitTimeout not negative");
        }
        if (methodList().isEmpty()) {
            throw new IllegalArgumentException("caravan-idempotent methods must name at least one method");
        }
    }

    List<String> methodList() {
        return Arrays.stream(methods.split(",")).map(m -> m.trim().toUpperCase(Locale.ROOT)).filter(m -> !m.isEmpty())
                .toList();
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getMethods() {
        return methods;
    }

    public void setMethods(String methods) {
        this.methods = methods;
    }

    public long getTtl() {
        return ttl;
    }

    public void setTtl(long ttl) {
        this.ttl = ttl;
    }

    public int getMaxBodySize() {
        return maxBodySize;
    }

    public void setMaxBodySize(int maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    public int getMaxResponseSize() {
        return maxResponseSize;
    }

    public void setMaxResponseSize(int maxResponseSize) {
        this.maxResponseSize = maxResponseSize;
    }

    public long getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public String getScope() {
        return scope;
    }

    public void setScope(String scope) {
        this.scope = scope;
    }

    public String getOnInFlight() {
        return onInFlight;
    }

    public void setOnInFlight(String onInFlight) {
        this.onInFlight = onInFlight;
    }

    public long getWaitTimeout() {
        return waitTimeout;
    }

    public void setWaitTimeout(long waitTimeout) {
        this.waitTimeout = waitTimeout;
    }
}
