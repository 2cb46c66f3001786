package dev.caravan.http;

import io.netty.handler.codec.http.HttpContent;

/** Receives a {@link BodySource}'s content, in order, on the source's event loop. */
public interface BodySink {

    /** Takes ownership of the content (and must release or write it). A {@code LastHttpContent} ends the body. */
    void onContent(HttpContent content);

    /** The source finished one read burst: a good moment to flush. */
    void onBatchEnd();

    /** The source failed before its end (its connection closed or timed out). */
    void onError(Throwable cause);
}
