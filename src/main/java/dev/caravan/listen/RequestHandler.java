package dev.caravan.listen;

import dev.caravan.http.ProxyExchange;

/** Takes a request that a listener matched to it (a Caravan route's consumer). */
public interface RequestHandler {

    void handle(ProxyExchange request);

    /** Requests taken but not yet answered (their route is still deciding). */
    int inflight();
}
