package dev.caravan.websocket;

import dev.caravan.http.BodySink;
import dev.caravan.http.BodySource;
import io.netty.channel.Channel;

/**
 * A backend connection that answered 101 to a WebSocket handshake: the "body" of that answer is the connection
 * itself, handed to the client side, which opens a {@link Tunnel} once the client has its 101. Until then the
 * connection reads nothing (what the backend already sent waits in its decoder). It never goes back to a pool;
 * dropping it (the route answered something else, the client left) closes it.
 */
public final class UpgradedBackend implements BodySource {

    private final Channel channel;
    private final long idleTimeoutMillis;
    private final Runnable removeHttp;
    private final Runnable onEnd;
    private boolean taken;

    /**
     * @param removeHttp        takes the HTTP handlers out of the backend connection's pipeline (their unread bytes
     *                          go on to whatever comes after them)
     * @param idleTimeoutMillis the tunnel closes after this long without a byte either way
     * @param onEnd             called once when the tunnel (or this connection, if it never became one) ends
     */
    public UpgradedBackend(Channel channel, long idleTimeoutMillis, Runnable removeHttp, Runnable onEnd) {
        this.channel = channel;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.removeHttp = removeHttp;
        this.onEnd = onEnd;
    }

    Channel channel() {
        return channel;
    }

    long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    void removeHttp() {
        removeHttp.run();
    }

    void ended() {
        onEnd.run();
    }

    /** Claims the connection for a tunnel (once). */
    boolean take() {
        if (taken) {
            return false;
        }
        taken = true;
        return true;
    }

    @Override
    public void subscribe(BodySink sink) {
        throw new IllegalStateException("A WebSocket connection is not a message body");
    }

    @Override
    public boolean isConsumed() {
        return taken;
    }

    @Override
    public boolean isComplete() {
        return false;
    }

    @Override
    public void pause() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void resume() {
        channel.config().setAutoRead(true);
    }

    @Override
    public void discard() {
        if (take()) {
            channel.close();
            onEnd.run();
        }
    }
}
