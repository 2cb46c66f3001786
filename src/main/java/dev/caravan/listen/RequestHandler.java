package dev.caravan.listen;

import dev.caravan.http.ProxyExchange;

/** Takes a request that a listener matched to it (a Caravan route's consumer). */
public interface RequestHandler {

    void handle(ProxyExchange request);

    /**
     * Runs this handler as a guard: it either answers the request, or calls {@code next} (on the request's event
     * loop) to let it go on to the next guard and the route.
     */
    default void guard(ProxyExchange request, Runnable next) {
        next.run();
    }

    /** Requests taken but not yet answered (their exchange is still in the Camel route). */
    int inflight();

    /**
     * Requests taken whose response is not yet complete: from dispatch until the response's last byte is written, or
     * the client went away. A response body keeps streaming after its exchange left the route, so this is at least
     * {@link #inflight()}.
     */
    int open();

    /** Closes the client connections of the open requests (a retired route that outlived its drain timeout). */
    void abortOpen();
}
