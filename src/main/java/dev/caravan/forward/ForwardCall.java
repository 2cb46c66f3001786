package dev.caravan.forward;

import dev.caravan.balance.Backend;
import dev.caravan.forward.ForwardOutcome.Kind;
import dev.caravan.http.BodySource;
import dev.caravan.http.ChannelBodyWriter;
import dev.caravan.http.GatewayException;
import dev.caravan.tls.BackendTls;
import dev.caravan.http.MessageHeaders;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ReadControl;
import dev.caravan.http.StreamingBody;
import dev.caravan.websocket.UpgradedBackend;
import dev.caravan.websocket.WebSocketHandshake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One attempt to send a request to one backend and bring back its response head, as a state machine:
 *
 * <pre>
 * CONNECTING ──acquired──▶ AWAITING_HEAD ──1xx──▶ INTERIM ──its end──▶ AWAITING_HEAD
 *     │  ▲ stale kept connection,                 │
 *     │  └─ replayable request: once              └──final head──▶ STREAMING ──last content──▶ DONE
 *     │                                           └──101 to a WebSocket handshake──▶ UPGRADED (the connection
 *     │                                                                     leaves the call: a tunnel takes it)
 *     └──────────── any failure, timeout, abort ─────────────────────────────────────────────▶ DONE
 * </pre>
 *
 * The request side runs alongside: the request is {@code sent} once its last byte is written (a backend may answer
 * before that). The call reports one {@link ForwardOutcome} to its {@link Listener} and never touches Camel; when a
 * head arrives the outcome is reported at once, and the body then streams to whoever subscribes to it. Everything runs
 * on the client connection's event loop, which is also the backend connection's.
 */
final class ForwardCall implements ConnectionSource.Acquirer, ReadControl {

    enum State { CONNECTING, AWAITING_HEAD, INTERIM, STREAMING, UPGRADED, DONE }

    /** How long an upgraded (WebSocket) connection may carry nothing either way, unless the route says otherwise. */
    static final long DEFAULT_UPGRADE_IDLE_MILLIS = 300_000;

    /** Interim (1xx) responses relayed per request; a backend sending more is broken or hostile. */
    static final int MAX_INTERIM_RESPONSES = 16;

    /** What a call reports to (the forwarding step's retry logic). */
    interface Listener {
        /**
         * A 502/503/504 arrived: return true to drop it and have the call end with {@link Kind#RETRYABLE_STATUS}
         * (the listener has then committed to a retry elsewhere), false to relay it to the client.
         */
        boolean retryInstead(int status);

        /** A 1xx interim response arrived (to relay to the client). */
        void interim(HttpResponse interim);

        /** The attempt ended; called once. */
        void ended(ForwardOutcome outcome);
    }

    private final ProxyExchange exchange;
    private final ConnectionSource connections;
    private final HttpRequest outgoing;
    private final BodySource body;
    private final ByteBuf fixedBody;
    private final long responseTimeoutNanos;
    private final Backend target;
    private final boolean replayable;
    private final Listener listener;

    private State state = State.CONNECTING;
    private Channel backend;
    private boolean reused;
    private boolean staleRetried;
    private boolean requestSent;
    private boolean reported;
    private boolean useEnded;
    private boolean keepAlive;
    private long idleTimeoutNanos;
    private ChannelBodyWriter requestWriter;
    private StreamingBody responseBody;
    private long responseDeadline = Long.MAX_VALUE;
    private int interims;
    private long upgradeIdleTimeoutMillis = DEFAULT_UPGRADE_IDLE_MILLIS;

    /**
     * @param body       the request body to stream (null for none); exclusive with {@code fixedBody}
     * @param fixedBody  a request body held in memory (owned by the call), or null
     * @param replayable the request may be sent twice (used for one retry on a kept connection the backend had
     *                   closed); the forwarding step decides, the call only obeys
     */
    ForwardCall(ProxyExchange exchange, ConnectionSource connections, HttpRequest outgoing, BodySource body,
                ByteBuf fixedBody, long responseTimeoutMillis, Backend target, boolean replayable, Listener listener) {
        this.exchange = exchange;
        this.connections = connections;
        this.outgoing = outgoing;
        this.body = body;
        this.fixedBody = fixedBody;
        this.responseTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(responseTimeoutMillis);
        this.target = target;
        this.replayable = replayable;
        this.listener = listener;
    }

    State state() {
        return state;
    }

    /** The idle timeout of a WebSocket tunnel this call may open. */
    ForwardCall upgradeIdleTimeout(long millis) {
        this.upgradeIdleTimeoutMillis = millis;
        return this;
    }

    void start() {
        exchange.requireEventLoop();
        target.started();
        exchange.onAbort(this::abort);
        connections.acquire(exchange.eventLoop(), true, this);
    }

    // ---- CONNECTING

    @Override
    public void acquired(Channel channel, boolean wasReused) {
        if (state != State.CONNECTING) {
            channel.close(); // the call ended (client gone) while the connection was being made
            return;
        }
        backend = channel;
        reused = wasReused;
        state = State.AWAITING_HEAD;
        long now = System.nanoTime();
        exchange.log().backendConnected(now);
        BackendConnection.of(channel).attach(this, outgoing.method().equals(HttpMethod.HEAD));
        channel.config().setAutoRead(true);
        if (body == null) {
            // the whole request is at hand (a head alone, most requests): one message, so one pass down the pipeline
            ByteBuf content = fixedBody == null ? Unpooled.EMPTY_BUFFER : fixedBody.retainedDuplicate();
            channel.writeAndFlush(new DefaultFullHttpRequest(outgoing.protocolVersion(), outgoing.method(),
                    outgoing.uri(), content, outgoing.headers(), EmptyHttpHeaders.INSTANCE), channel.voidPromise());
            requestSent(now); // (microseconds after connected: not worth asking the clock again)
            return;
        }
        channel.write(outgoing, channel.voidPromise());
        if (body.isConsumed()) {
            // the client's body was dropped meanwhile (the client connection answered and moved on, or failed)
            end(Kind.REQUEST_BODY_FAILED, "The request body is gone");
        } else {
            requestWriter = new ChannelBodyWriter(channel, body, lastWrite -> requestSent(System.nanoTime()),
                    this::requestBodyFailed);
            body.subscribe(requestWriter);
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (state != State.CONNECTING) {
            return;
        }
        end(cause instanceof ConnectTimeoutException ? Kind.CONNECT_TIMEOUT : Kind.CONNECT_FAILED,
                "Cannot connect: " + BackendTls.describeFailure(cause));
    }

    /** The whole request is on its way: from now the backend has the response timeout to answer. */
    private void requestSent(long now) {
        requestSent = true;
        exchange.log().requestSent(now);
        if (state == State.AWAITING_HEAD || state == State.INTERIM) {
            responseDeadline = now + responseTimeoutNanos;
        }
    }

    // ---- what the backend sends

    void onResponseHead(HttpResponse response) {
        if (state != State.AWAITING_HEAD) {
            // a second head inside a response, or one after the call ended: the connection cannot be trusted
            ReferenceCountUtil.release(response);
            if (state != State.DONE) {
                end(Kind.INVALID_RESPONSE, "Unexpected response head in state " + state);
            }
            return;
        }
        if (response.decoderResult().isFailure()) {
            end(Kind.INVALID_RESPONSE, "Invalid response: " + response.decoderResult().cause());
            return;
        }
        int code = response.status().code();
        if (code == 101) {
            if (exchange.isWebSocketUpgrade() && WebSocketHandshake.isAccepted(response) && requestSent
                    && BackendConnection.of(backend).decoder() != null) {
                upgraded(response);
            } else {
                end(Kind.INVALID_RESPONSE, "Unexpected 101 Switching Protocols"); // only a handshake is upgraded
            }
            return;
        }
        if (code < 200) {
            if (++interims > MAX_INTERIM_RESPONSES) {
                end(Kind.INVALID_RESPONSE, "More than " + MAX_INTERIM_RESPONSES + " interim responses");
                return;
            }
            state = State.INTERIM;
            listener.interim(response);
            return;
        }
        responseDeadline = Long.MAX_VALUE;
        exchange.log().backendResponded();
        if ((code == 502 || code == 503 || code == 504) && listener.retryInstead(code)) {
            ReferenceCountUtil.release(response);
            end(ForwardOutcome.failed(Kind.RETRYABLE_STATUS, true, code, "Backend answered " + code));
            return;
        }
        state = State.STREAMING;
        // a connection that carried a WebSocket handshake is not reused, whatever the answer
        keepAlive = MessageHeaders.isKeepAlive(response) && !exchange.isWebSocketUpgrade();
        idleTimeoutNanos = KeepAliveTimeout.idleNanos(response.headers(), connections.idleTimeoutNanos());
        responseBody = new StreamingBody(this);
        responseBody.readBurstStarted();
        report(ForwardOutcome.responded(response, responseBody));
    }

    /**
     * The backend agreed to switch to WebSocket: the connection stops reading (what it sent after the 101 stays in
     * its decoder), leaves this call and the pool for good, and goes to the client side as the answer's "body".
     */
    private void upgraded(HttpResponse response) {
        state = State.UPGRADED;
        responseDeadline = Long.MAX_VALUE;
        exchange.log().backendResponded();
        Channel channel = backend;
        channel.config().setAutoRead(false);
        BackendConnection.of(channel).detachForUpgrade();
        UpgradedBackend upgraded = new UpgradedBackend(channel, upgradeIdleTimeoutMillis, () -> {
            channel.pipeline().remove("connection");
            channel.pipeline().remove("encoder");
            channel.pipeline().remove("decoder");
        }, this::endUse);
        report(ForwardOutcome.responded(response, upgraded));
    }

    void onResponseContent(HttpContent content) {
        switch (state) {
            case INTERIM -> {
                if (content instanceof LastHttpContent) {
                    state = State.AWAITING_HEAD;
                }
                ReferenceCountUtil.release(content);
            }
            case STREAMING -> {
                if (content.decoderResult().isFailure()) {
                    ReferenceCountUtil.release(content); // a malformed chunk: the body is cut short
                    closeBackend();
                    return;
                }
                boolean last = content instanceof LastHttpContent;
                if (last) {
                    MessageHeaders.removeNonEndToEnd(((LastHttpContent) content).trailingHeaders());
                    // the backend's part is over: count it free before the client can see the end and ask again
                    endUse();
                }
                responseBody.offer(content);
                if (last) {
                    responseEnded();
                }
            }
            default -> ReferenceCountUtil.release(content);
        }
    }

    void onReadComplete() {
        if (responseBody != null) {
            responseBody.batchEnd();
        }
    }

    void onWritabilityChanged() {
        if (requestWriter != null) {
            requestWriter.writabilityChanged();
        }
    }

    void onConnectionClosed() {
        switch (state) {
            case AWAITING_HEAD, INTERIM -> {
                if (reused && !staleRetried && replayable) {
                    // a kept connection the backend had already closed: once more on a fresh one
                    staleRetried = true;
                    backend = null;
                    requestSent = false;
                    responseDeadline = Long.MAX_VALUE;
                    state = State.CONNECTING;
                    connections.acquire(exchange.eventLoop(), false, this);
                    return;
                }
                end(Kind.CLOSED_BEFORE_HEAD, "Backend closed the connection before responding");
            }
            case STREAMING -> {
                state = State.DONE;
                endUse();
                responseBody.fail(new IOException("Backend closed the connection mid-response"));
            }
            default -> {
            }
        }
    }

    /** Called by the backend connection's periodic check; cheaper than a timer per request. */
    void checkDeadline(long now) {
        if (now >= responseDeadline && (state == State.AWAITING_HEAD || state == State.INTERIM)) {
            end(Kind.RESPONSE_TIMEOUT, "No response within " + TimeUnit.NANOSECONDS.toMillis(responseTimeoutNanos) + " ms");
        }
    }

    // ---- ReadControl for the response body: backpressure from the client

    @Override
    public void pauseReading() {
        if (state == State.STREAMING) {
            backend.config().setAutoRead(false);
        }
    }

    @Override
    public void resumeReading() {
        if (state == State.STREAMING) {
            backend.config().setAutoRead(true);
        }
    }

    @Override
    public void discarded() {
        // nobody reads the rest of this response: do not waste the bandwidth, drop the connection
        if (state == State.STREAMING) {
            closeBackend();
        }
    }

    // ---- endings

    private void requestBodyFailed(Throwable cause) {
        if (state == State.STREAMING) {
            closeBackend(); // the backend answered already; the rest of its answer is useless now
        } else if (state != State.DONE) {
            // a limit that cut the body says which status; a body that broke off is the client's fault (400)
            int status = cause instanceof GatewayException g ? g.status() : 400;
            end(ForwardOutcome.failed(Kind.REQUEST_BODY_FAILED, true, status, "Client request body failed: " + cause));
        }
    }

    private void abort() {
        if (state == State.STREAMING) {
            closeBackend();
        } else if (state != State.DONE) {
            end(Kind.CLIENT_GONE, "Client closed the connection");
        }
    }

    private void responseEnded() {
        if (!requestSent) {
            // the backend answered before taking the whole request body: the connection cannot be reused
            closeBackend();
            return;
        }
        state = State.DONE;
        endUse();
        BackendConnection connection = BackendConnection.of(backend);
        boolean overran = connection.hasBytesBeyondResponse();
        connection.detach();
        if (keepAlive && !overran) {
            backend.config().setAutoRead(true);
            connections.release(backend, idleTimeoutNanos);
        } else {
            backend.close();
        }
    }

    /** Ends an attempt that brought no response: closes the connection and reports why. */
    private void end(Kind kind, String detail) {
        end(ForwardOutcome.failed(kind, backend != null || requestSent, 0, detail));
    }

    private void end(ForwardOutcome outcome) {
        closeBackend();
        report(outcome);
    }

    /** Closes the backend connection (if any) and ends the state machine; a streaming body is cut short. */
    private void closeBackend() {
        boolean streaming = state == State.STREAMING;
        state = State.DONE;
        responseDeadline = Long.MAX_VALUE;
        endUse();
        if (backend != null) {
            BackendConnection.of(backend).detach();
            backend.close();
        }
        if (streaming) {
            responseBody.fail(new IOException("Backend connection closed"));
        }
    }

    /** The request no longer occupies the backend (for least-connections), counted once. */
    private void endUse() {
        if (!useEnded) {
            useEnded = true;
            target.finished();
        }
    }

    private void report(ForwardOutcome outcome) {
        if (reported) {
            return;
        }
        reported = true;
        exchange.onAbort(null);
        if (fixedBody != null) {
            fixedBody.release();
        }
        listener.ended(outcome);
    }
}
