package dev.caravan.http;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * The time of the network read an event loop is handling, so everything that read sets off (a request's route and
 * backend choice; a response's head, body and end, and the backend connection going back to its pool) is timed with
 * one clock read instead of a dozen. nginx caches its time per event loop iteration for the same reason: a clock read
 * costs 20–40 ns on a virtual machine, and a request is timed at a dozen points.
 *
 * <p>The two read handlers ({@code InboundBytes} on a client connection, the backend's response decoder) set it around
 * each read; outside a read (a connect completing, a write draining, a timer, a Camel worker thread) {@link #now()}
 * asks the clock. Times that start a deadline, or follow work a Camel route may spend long on, ask the clock
 * themselves. Thread-confined: one slot per thread, set and restored on that thread only.
 */
public final class ReadTime {

    /** No read is being handled (nanoTime can be any long; this one value is taken to mean "none"). */
    private static final long NONE = Long.MIN_VALUE;
    private static final FastThreadLocal<long[]> SLOT = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            return new long[] {NONE};
        }
    };

    private ReadTime() {
    }

    /** The time of the read being handled on this thread, or {@link System#nanoTime()} when none is. */
    public static long now() {
        long read = SLOT.get()[0];
        return read != NONE ? read : System.nanoTime();
    }

    /** A read began at {@code now} (a {@link System#nanoTime()} value); returns what {@link #end} restores. */
    public static long begin(long now) {
        long[] slot = SLOT.get();
        long before = slot[0];
        slot[0] = now;
        return before;
    }

    /** The read is handled; always called (in a {@code finally}) with what {@link #begin} returned. */
    public static void end(long before) {
        SLOT.get()[0] = before;
    }
}
