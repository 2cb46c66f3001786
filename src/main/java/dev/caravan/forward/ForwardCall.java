package dev.caravan.forward;

import dev.caravan.balance.Backend;
import dev.caravan.balance.Upstream;
import dev.caravan.http.BodySource;
import dev.caravan.http.ChannelBodyWriter;
import dev.caravan.http.GatewayException;
import dev.caravan.http.HopByHopHeaders;
import dev.caravan.http.MessageHeaders;
import dev.caravan.http.ProxyRequest;
import dev.caravan.http.ReadControl;
import dev.caravan.http.StreamingBody;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One attempt to send a request to one backend and bring back its response head. The exchange completes as soon as
 * the head arrives (so the route can look at it); the body then streams to the client on its own. Everything runs on
 * the client connection's event loop, which is also the backend connection's.
 */
final class ForwardCall implements BackendPool.Acquirer, ReadControl {

    private final Exchange exchange;
    private final AsyncCallback callback;
    private final ProxyRequest request;
    private final BackendPool pool;
    private final HttpRequest outgoing;
    private final BodySource body;
    private final ByteBuf fixedBody;
    private final long responseTimeoutMillis;
    private final Backend target;
    private final Upstream upstream;
    private final boolean retryOn5xx;
    private boolean useEnded;

    private Channel backend;
    private boolean reused;
    private boolean retried;
    private ChannelBodyWriter requestWriter;
    private boolean requestSent;
    private boolean interim;
    private boolean headReceived;
    private boolean responseEnded;
    private boolean keepAlive;
    private long idleTimeoutNanos;
    private StreamingBody responseBody;
    private long responseDeadline = Long.MAX_VALUE;
    private boolean done;
    private boolean finished;
    private final boolean replayable;

    /**
     * @param replayable the producer's verdict that this request may be sent twice (used for one retry on a kept
     *                   connection the backend had closed)
     * @param retryOn5xx drop a 502/503/504 answer and fail with {@link BackendStatusException}, because the caller
     *                   will retry elsewhere
     */
    ForwardCall(Exchange exchange, AsyncCallback callback, ProxyRequest request, BackendPool pool, HttpRequest outgoing,
                BodySource body, ByteBuf fixedBody, long responseTimeoutMillis, Backend target, Upstream upstream,
                boolean replayable, boolean retryOn5xx) {
        this.replayable = replayable;
        this.exchange = exchange;
        this.callback = callback;
        this.request = request;
        this.pool = pool;
        this.outgoing = outgoing;
        this.body = body;
        this.fixedBody = fixedBody;
        this.responseTimeoutMillis = responseTimeoutMillis;
        this.target = target;
        this.upstream = upstream;
        this.retryOn5xx = retryOn5xx;
    }

    void start() {
        target.started();
        request.onAbort(this::abort);
        pool.acquire(request.channel().eventLoop(), true, this);
    }

    // ---- connecting

    @Override
    public void acquired(Channel channel, boolean wasReused) {
        if (done) {
            channel.close();
            endUse();
            return;
        }
        backend = channel;
        reused = wasReused;
        BackendConnection.of(channel).attach(this);
        channel.config().setAutoRead(true);
        channel.write(outgoing, channel.voidPromise());
        if (fixedBody != null) {
            channel.writeAndFlush(new DefaultLastHttpContent(fixedBody.retainedDuplicate()), channel.voidPromise());
            requestSent();
        } else if (body == null) {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
            requestSent();
        } else {
            requestWriter = new ChannelBodyWriter(channel, body, lastWrite -> requestSent(), this::onRequestBodyFailed);
            body.subscribe(requestWriter);
        }
    }

    @Override
    public void failed(Throwable cause) {
        endUse();
        if (cause instanceof ConnectTimeoutException) {
            complete(new BackendTimeoutException("Connect timeout: " + cause.getMessage(), false));
        } else {
            complete(new BackendUnavailableException("Cannot connect: " + cause, false, cause));
        }
    }

    /** The whole request is on its way: from now the backend has {@code responseTimeout} to answer. */
    private void requestSent() {
        requestSent = true;
        if (!headReceived) {
            responseDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(responseTimeoutMillis);
        }
    }

    // ---- what the backend sends

    void onResponseHead(HttpResponse response) {
        if (headReceived) {
            ReferenceCountUtil.release(response);
            closeBackend();
            return;
        }
        if (response.decoderResult().isFailure()) {
            closeBackend();
            complete(new BackendUnavailableException("Invalid response: " + response.decoderResult().cause(), true, null));
            return;
        }
        int code = response.status().code();
        if (code == 101) {
            closeBackend(); // Upgrade is never forwarded, so a switch is a protocol error
            complete(new BackendUnavailableException("Unexpected 101 Switching Protocols", true, null));
            return;
        }
        if (code < 200) {
            interim = true;
            DefaultFullHttpResponse relayed = new DefaultFullHttpResponse(request.version(), response.status());
            HopByHopHeaders.remove(response.headers());
            response.headers().forEach(h -> {
                if (MessageHeaders.isEndToEnd(h.getKey())) {
                    relayed.headers().add(h.getKey(), h.getValue());
                }
            });
            request.responder().writeInterim(relayed);
            return;
        }
        cancelTimer();
        headReceived = true;
        upstream.responded(target, code);
        if (retryOn5xx && (code == 502 || code == 503 || code == 504)) {
            ReferenceCountUtil.release(response);
            closeBackend();
            complete(new BackendStatusException(code));
            return;
        }
        keepAlive = HttpUtil.isKeepAlive(response);
        idleTimeoutNanos = KeepAliveTimeout.idleNanos(response.headers(), pool.idleTimeoutNanos());
        HopByHopHeaders.remove(response.headers());
        responseBody = new StreamingBody(this);
        responseBody.readBurstStarted();
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        MessageHeaders.toCamel(response.headers(), message.getHeaders());
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        message.setHeader(Exchange.HTTP_RESPONSE_TEXT, response.status().reasonPhrase());
        message.setBody(responseBody);
        request.attachBackendBody(responseBody);
        complete(null);
    }

    void onResponseContent(HttpContent content) {
        if (interim || responseBody == null) {
            if (content instanceof LastHttpContent) {
                interim = false;
            }
            ReferenceCountUtil.release(content);
            return;
        }
        if (content.decoderResult().isFailure()) {
            // a malformed chunk: the body is cut short and the connection is unusable
            ReferenceCountUtil.release(content);
            closeBackend();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            responseEnded = true;
        }
        responseBody.offer(content);
        if (last) {
            releaseIfFinished();
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
        cancelTimer();
        if (finished) {
            return;
        }
        if (!headReceived) {
            if (reused && !retried && replayable) {
                // a kept connection the backend had already closed: try once more on a fresh one
                retried = true;
                backend = null;
                requestSent = false;
                pool.acquire(request.channel().eventLoop(), false, this);
                return;
            }
            finished = true;
            endUse();
            complete(new BackendUnavailableException("Backend closed the connection before responding", true, null));
        } else if (!responseEnded) {
            finished = true;
            endUse();
            responseBody.fail(new IOException("Backend closed the connection mid-response"));
        }
    }

    // ---- ReadControl for the response body: backpressure from the client

    @Override
    public void pauseReading() {
        if (backend != null && !finished) {
            backend.config().setAutoRead(false);
        }
    }

    @Override
    public void resumeReading() {
        if (backend != null && !finished) {
            backend.config().setAutoRead(true);
        }
    }

    @Override
    public void discarded() {
        // nobody reads the rest of this response: do not waste the bandwidth, drop the connection
        if (!responseEnded) {
            closeBackend();
        }
    }

    // ---- endings

    /** Called by the connection's periodic check; cheaper than a timer per request. */
    void checkDeadline(long now) {
        if (now >= responseDeadline) {
            onResponseTimeout();
        }
    }

    private void onResponseTimeout() {
        if (headReceived || done) {
            return;
        }
        closeBackend();
        complete(new BackendTimeoutException("No response within " + responseTimeoutMillis + " ms", true));
    }

    private void onRequestBodyFailed(Throwable cause) {
        closeBackend();
        complete(new GatewayException(400, "Client request body failed: " + cause, cause));
    }

    private void abort() {
        closeBackend();
        complete(new GatewayException(499, "Client closed the connection"));
    }

    private void releaseIfFinished() {
        if (finished || !responseEnded) {
            return;
        }
        if (!requestSent) {
            // the backend answered before taking the whole request body: the connection cannot be reused
            closeBackend();
            return;
        }
        finished = true;
        endUse();
        cancelTimer();
        BackendConnection.of(backend).detach();
        if (keepAlive) {
            backend.config().setAutoRead(true);
            pool.release(backend, idleTimeoutNanos);
        } else {
            backend.close();
        }
    }

    private void closeBackend() {
        cancelTimer();
        finished = true;
        endUse();
        if (backend != null) {
            BackendConnection.of(backend).detach();
            backend.close();
        }
        if (responseBody != null && !responseEnded) {
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

    private void cancelTimer() {
        responseDeadline = Long.MAX_VALUE;
    }

    private void complete(Throwable failure) {
        if (done) {
            return;
        }
        done = true;
        request.onAbort(null);
        if (fixedBody != null) {
            fixedBody.release();
        }
        if (failure != null) {
            exchange.setException(failure);
        }
        callback.done(false);
    }
}
