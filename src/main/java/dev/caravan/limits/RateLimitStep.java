package dev.caravan.limits;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Message;

import java.util.function.Supplier;

/**
 * What one {@code caravan-rate-limit} step does to a request: find its key, take a token from the key's bucket, and
 * either let the request go on (with the RateLimit fields on its response, if asked) or answer 429 with
 * {@code Retry-After} at once, so the backend never sees it. It needs only the exchange and its
 * {@link ProxyExchange}, so it works the same in any route that starts from a {@code caravan:} endpoint.
 */
final class RateLimitStep implements DirectStep {

    /** The bucket that requests without a key share under {@code missingKey=shared}. */
    static final String SHARED_KEY = "\u0000shared"; // no header, cookie or address can be this

    private final RateLimiter limiter;
    private final RequestKey key;
    private final RateLimitConfiguration.MissingKey missingKey;
    private final int ipv6Prefix;
    private final RateLimitHeaders headers;
    private final boolean successHeaders;

    RateLimitStep(RateLimiter limiter, RequestKey key, RateLimitConfiguration.MissingKey missingKey, int ipv6Prefix,
                  RateLimitHeaders headers, boolean successHeaders) {
        this.limiter = limiter;
        this.key = key;
        this.missingKey = missingKey;
        this.ipv6Prefix = ipv6Prefix;
        this.headers = headers;
        this.successHeaders = successHeaders && !headers.isNone();
    }

    /**
     * A {@code client-ip} key comes from the request alone (so the step also runs on the fast path); a header, cookie
     * or expression key reads the route's exchange (what earlier steps left), which only the exchange path has.
     */
    @Override
    public Answer decide(ProxyExchange proxy, Supplier<Message> message) {
        return decide(proxy, key.readsOnlyTheRequest() ? key.of(proxy) : key.of(message.get().getExchange()));
    }

    /** Counts the request under {@code k} (its key, or null when it has none); the 429 answer, or null to go on. */
    private Answer decide(ProxyExchange proxy, String k) {
        if (k == null) {
            switch (missingKey) {
                case SKIP -> {
                    return null;
                }
                case SHARED -> k = SHARED_KEY;
                case CLIENT_IP -> k = RequestKey.clientKey(proxy.clientIp(), ipv6Prefix);
            }
            if (k == null) {
                k = SHARED_KEY; // no address either (never expected): still counted, never unlimited
            }
        }
        Decision decision = limiter.check(k);
        if (!decision.allowed()) {
            Answer answer = Answer.status(429).header("Retry-After", decision.retryAfterSeconds());
            headers.write(answer.headers(), decision);
            return answer;
        }
        if (successHeaders) {
            proxy.onResponseHead((request, head) -> headers.write(head.headers(), decision));
        }
        return null;
    }
}
