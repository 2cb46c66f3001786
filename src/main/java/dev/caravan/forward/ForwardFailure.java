package dev.caravan.forward;

import dev.caravan.http.GatewayException;

/**
 * A forward that ended without a backend response for the client: 502 (unreachable, closed, invalid answer), 504
 * (timeout), a dropped 5xx no retry replaced, 499 (client gone) or 400 (client body broke off). For Camel's own
 * {@code failoverLoadBalancer} over {@code caravan-forward} steps, this is the exception to fail over on.
 */
public class ForwardFailure extends GatewayException {

    ForwardFailure(int status, String message) {
        super(status, message);
    }
}
