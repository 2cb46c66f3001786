package dev.caravan.forward;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/** Where a {@link ForwardCall} gets its backend connection and returns it (a {@link BackendPool}, or a test's). */
interface ConnectionSource {

    interface Acquirer {
        void acquired(Channel channel, boolean reused);

        void failed(Throwable cause);
    }

    /** Hands a connection on {@code loop} to {@code acquirer}: a live idle one if allowed and present, else a new one. */
    void acquire(EventLoop loop, boolean allowReuse, Acquirer acquirer);

    /** Takes back a connection whose exchange completed cleanly, to keep idle for up to {@code idleTimeoutNanos}. */
    void release(Channel channel, long idleTimeoutNanos);

    /** A kept connection closed; forget it. */
    void forget(Channel channel);

    /** How long a kept connection may idle, unless the backend announces less. */
    long idleTimeoutNanos();
}
