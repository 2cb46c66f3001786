package dev.caravan.http;

import io.netty.handler.codec.http.HttpMessage;

/**
 * The byte tier of the pipeline: wraps a streaming body on its way out (a response to the client, or a request to a
 * backend) to count, copy, limit or transform it without buffering it whole. A route step installs one with
 * {@link ProxyExchange#decorateResponseBody} or {@link ProxyExchange#decorateRequestBody}; it runs when the body is
 * sent, on the exchange's event loop, with backpressure passed through (see {@link FilteringBodySource}).
 */
@FunctionalInterface
public interface BodyDecorator {

    /**
     * Returns the body to send instead of {@code body}. {@code head} is the message about to be written; a decorator
     * that changes the body's length removes its {@code Content-Length} (the writer then frames the body itself), one
     * that changes its encoding sets the matching headers.
     */
    BodySource decorate(HttpMessage head, BodySource body);
}
