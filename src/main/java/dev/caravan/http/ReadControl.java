package dev.caravan.http;

/** Lets a body pause and resume reading on the connection it comes from. */
public interface ReadControl {

    void pauseReading();

    void resumeReading();

    /** The body's reader gave up on it: whatever still comes can be dropped (or its connection closed). */
    default void discarded() {
    }
}
