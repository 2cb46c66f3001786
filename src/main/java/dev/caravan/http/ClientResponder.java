package dev.caravan.http;

import io.netty.handler.codec.http.HttpResponse;

/**
 * The client connection as an exchange sees it: writes an interim response, or the final head and then the body.
 * The connection owns framing (Content-Length, chunked or close-delimited), keep-alive and backpressure; the
 * pipeline (head filters, body decorators) has already run. Every call is made on the connection's event loop.
 */
public interface ClientResponder {

    /** Relays a 1xx interim response (e.g. 100 Continue, 103 Early Hints). */
    void writeInterim(ProxyExchange exchange, HttpResponse interim);

    /** Writes the final response head, then streams {@code body} (null for none); a late call is dropped. */
    void write(ProxyExchange exchange, HttpResponse head, BodySource body);

    /** Closes the client connection now (the exchange is being cut). */
    void cut(ProxyExchange exchange);
}
