package dev.caravan.limits;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** The options of a {@code caravan-rate-limit:} step, each with its one default. */
@UriParams
public final class RateLimitConfiguration {

    @UriPath(description = "The limit's name: steps that give the same name share its buckets (and must give the same"
            + " rate, burst, key and maxKeys); it also names the policy in the RateLimit headers")
    @Metadata(required = true)
    private String name;
    @UriParam(label = "producer", description = "Requests allowed per second, minute or hour: 100/s, 600/m, 10000/h"
            + " (a bare number is per second)")
    @Metadata(required = true)
    private String rate;
    @UriParam(label = "producer", description = "Requests a quiet client may send at once (the bucket's size); none:"
            + " one period's worth, the rate's count")
    private Long burst;
    @UriParam(label = "producer", defaultValue = "client-ip", description = "What requests are counted by: client-ip,"
            + " header:<name>, cookie:<name> or simple:<expression>")
    private String key = RequestKey.CLIENT_IP;
    @UriParam(label = "producer", defaultValue = "client-ip", enums = "client-ip,shared,skip",
            description = "A request without the key (no such header or cookie): counted by its client-ip, all of"
                    + " them in one shared bucket, or skip this limit")
    private String missingKey = RequestKey.CLIENT_IP;
    @UriParam(label = "producer", defaultValue = "64", description = "For key=client-ip: IPv6 clients are counted by"
            + " this many leading bits of their address (one host usually holds a whole /64)")
    private int ipv6Prefix = 64;
    @UriParam(label = "producer", defaultValue = "draft", enums = "draft,legacy,none", description = "The fields that"
            + " tell clients their limit: draft (RateLimit-Policy and RateLimit), legacy (RateLimit-Limit, -Remaining,"
            + " -Reset) or none (a 429 still has Retry-After)")
    private String headers = "draft";
    @UriParam(label = "producer", defaultValue = "true",
            description = "Send those fields on every response, not only on a 429")
    private boolean successHeaders = true;
    @UriParam(label = "producer", defaultValue = "100000", description = "Most keys (buckets) kept; beyond it the"
            + " least useful are forgotten, so memory stays bounded (about 200 bytes a key)")
    private long maxKeys = 100_000;

    /** Checks every value, naming the option; returns the limit's identity. */
    LimitSettings settings() {
        if (name == null || name.isEmpty() || !name.chars().allMatch(RateLimitConfiguration::isNameChar)) {
            throw new IllegalArgumentException("caravan-rate-limit needs a name of letters, digits, '.', '_' or '-',"
                    + " e.g. caravan-rate-limit:api?rate=100/s, was '" + name + "'");
        }
        RatePolicy policy = RatePolicy.parse(rate, burst);
        if (ipv6Prefix < 1 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("ipv6Prefix must be 1 to 128, was " + ipv6Prefix);
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        missingKeyRule();
        RateLimitHeaders.form(headers);
        return new LimitSettings(policy, key.trim(), ipv6Prefix, maxKeys);
    }

    MissingKey missingKeyRule() {
        return switch (missingKey) {
            case "client-ip" -> MissingKey.CLIENT_IP;
            case "shared" -> MissingKey.SHARED;
            case "skip" -> MissingKey.SKIP;
            default -> throw new IllegalArgumentException("missingKey must be client-ip, shared or skip, was '"
                    + missingKey + "'");
        };
    }

    enum MissingKey { CLIENT_IP, SHARED, SKIP }

    private static boolean isNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                || c == '-';
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getRate() {
        return rate;
    }

    public void setRate(String rate) {
        this.rate = rate;
    }

    public Long getBurst() {
        return burst;
    }

    public void setBurst(Long burst) {
        this.burst = burst;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getMissingKey() {
        return missingKey;
    }

    public void setMissingKey(String missingKey) {
        this.missingKey = missingKey;
    }

    public int getIpv6Prefix() {
        return ipv6Prefix;
    }

    public void setIpv6Prefix(int ipv6Prefix) {
        this.ipv6Prefix = ipv6Prefix;
    }

    public String getHeaders() {
        return headers;
    }

    public void setHeaders(String headers) {
        this.headers = headers;
    }

    public boolean isSuccessHeaders() {
        return successHeaders;
    }

    public void setSuccessHeaders(boolean successHeaders) {
        this.successHeaders = successHeaders;
    }

    public long getMaxKeys() {
        return maxKeys;
    }

    public void setMaxKeys(long maxKeys) {
        this.maxKeys = maxKeys;
    }
}
