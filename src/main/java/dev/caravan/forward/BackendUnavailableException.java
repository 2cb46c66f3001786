package dev.caravan.forward;

import dev.caravan.http.GatewayException;

/**
 * The backend could not be reached, or closed the connection before a complete response head (502). {@link
 * #requestSent()} tells a failover policy whether the backend may have seen the request.
 */
public class BackendUnavailableException extends GatewayException {

    private final boolean requestSent;

    public BackendUnavailableException(String message, boolean requestSent, Throwable cause) {
        super(502, message, cause);
        this.requestSent = requestSent;
    }

    public boolean requestSent() {
        return requestSent;
    }
}
