package dev.caravan.http;

/**
 * A message body that arrives as a stream of Netty {@code HttpContent}, ending with a {@code LastHttpContent}.
 * The bytes never enter a Camel exchange: a route only passes this handle along. Not thread-safe; it lives on the
 * event loop of the connection it is read from.
 */
public interface BodySource {

    /** Starts delivering content to the sink. A body can be consumed once; a second call throws. */
    void subscribe(BodySink sink);

    /** True once a sink has taken the body (so it can no longer be replayed). */
    boolean isConsumed();

    /** True once the last content has arrived from the wire (it may still be queued for the sink). */
    boolean isComplete();

    /** Stops reading from the source connection until {@link #resume()}: backpressure from a slow sink. */
    void pause();

    void resume();

    /** Drops the body: releases what is buffered and whatever still arrives. */
    void discard();
}
