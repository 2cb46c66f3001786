package dev.caravan.forward;

import dev.caravan.http.GatewayException;

/** No backend could take the request (all ejected or none reachable): 503 with {@code Retry-After}. */
public class BackendsUnavailableException extends GatewayException {

    private final int retryAfterSeconds;

    public BackendsUnavailableException(String message, int retryAfterSeconds) {
        super(503, message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    @Override
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
