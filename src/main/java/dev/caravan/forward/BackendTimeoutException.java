package dev.caravan.forward;

import dev.caravan.http.GatewayException;

/** The backend did not accept the connection or did not answer within the configured time (504). */
public class BackendTimeoutException extends GatewayException {

    private final boolean requestSent;

    public BackendTimeoutException(String message, boolean requestSent) {
        super(504, message);
        this.requestSent = requestSent;
    }

    public boolean requestSent() {
        return requestSent;
    }
}
