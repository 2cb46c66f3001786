package dev.caravan.http;

import io.netty.handler.codec.http.HttpResponse;

/**
 * A route's whole work when all it does is forward: the request goes to a backend and the answer back to the client
 * with no Camel exchange, no header map and no copies of the heads in between (the fast path of a forward-only route;
 * see {@code docs/architecture.md}). What the client and the backend see is the same as through the route's steps.
 */
public interface DirectForward {

    /** Forwards {@code request} on its event loop; {@code done} is called once, on that loop. */
    void forward(ProxyExchange request, Done done);

    /**
     * An endpoint that can forward without an exchange. {@link #directForward} makes a new forwarder (a Camel
     * service the caller starts and stops) or returns null when the endpoint's options need the route's exchange.
     */
    interface Source {
        DirectForward directForward();
    }

    /** The end of a direct forward: a backend answer to relay, or a failure to answer with its status. */
    interface Done {

        /** The backend answered: {@code head} is ready for the client, {@code body} streams from the backend. */
        void responded(HttpResponse head, BodySource body);

        /** No answer to relay: a {@link GatewayException} carries its status, anything else is a 500. */
        void failed(Exception failure);
    }
}
