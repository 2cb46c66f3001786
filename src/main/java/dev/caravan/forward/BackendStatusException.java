package dev.caravan.forward;

import dev.caravan.http.GatewayException;

/**
 * A backend answered 502/503/504 and the request may be retried elsewhere; the answer was dropped. If no retry
 * happens after all, the client gets this status from the gateway.
 */
public class BackendStatusException extends GatewayException {

    public BackendStatusException(int status) {
        super(status, "Backend answered " + status);
    }
}
