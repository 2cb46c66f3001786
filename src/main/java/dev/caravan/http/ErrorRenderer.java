package dev.caravan.http;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * How the gateway answers for itself when a request fails (no route, a denial, a backend down or too slow). The
 * default is the {@link ErrorPage}; a client that reads something else (a gRPC client reads a status in trailers)
 * gets its own form, set per exchange with {@link ProxyExchange#renderErrorsWith}.
 */
public interface ErrorRenderer {

    /** Answers {@code exchange} with the gateway's own response for {@code status} (through {@code respond}). */
    void respond(ProxyExchange exchange, int status, HttpHeaders extraHeaders);
}
