package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One client request as it travels through a route: the request head exactly as received, its body as a stream
 * handle, and the connection facts a forwarder needs. Kept in the exchange property {@link #PROPERTY}.
 */
public final class ProxyRequest {

    public static final String PROPERTY = "CaravanRequest";

    private final HttpRequest head;
    private final String rawTarget;
    private final StreamingBody body;
    private final Channel channel;
    private final boolean secure;
    private final String clientCertSubject;
    private final String clientIp;
    private final boolean keepsForwardedChain;
    private final ResponseWriter responder;
    private BodySource backendBody;
    private Runnable onAbort;
    private boolean aborted;
    private List<Runnable> finishedListeners = new ArrayList<>(2);

    public ProxyRequest(HttpRequest head, String rawTarget, StreamingBody body, Channel channel, boolean secure,
                        String clientCertSubject, String clientIp, boolean keepsForwardedChain,
                        ResponseWriter responder) {
        this.head = head;
        this.rawTarget = rawTarget;
        this.body = body;
        this.channel = channel;
        this.secure = secure;
        this.clientCertSubject = clientCertSubject;
        this.clientIp = clientIp;
        this.keepsForwardedChain = keepsForwardedChain;
        this.responder = responder;
    }

    public HttpRequest head() {
        return head;
    }

    public HttpMethod method() {
        return head.method();
    }

    public HttpVersion version() {
        return head.protocolVersion();
    }

    /** The request target in origin form, byte for byte as the client sent it. */
    public String rawTarget() {
        return rawTarget;
    }

    /** True when the client announced a body (chunked, or a non-zero Content-Length). */
    public boolean hasBody() {
        return HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
    }

    public StreamingBody body() {
        return body;
    }

    /** The client connection; its event loop is where this request's work runs. */
    public Channel channel() {
        return channel;
    }

    public boolean isSecure() {
        return secure;
    }

    /** The subject (RFC 2253) of the client certificate verified in the TLS handshake; null when there was none. */
    /** The client's address, behind trusted proxies the right-most untrusted one in their chain (computed once). */
    public String clientIp() {
        return clientIp;
    }

    /** True when the peer's {@code X-Forwarded-*} headers may be kept and appended to. */
    public boolean keepsForwardedChain() {
        return keepsForwardedChain;
    }

    public String clientCertSubject() {
        return clientCertSubject;
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    public ResponseWriter responder() {
        return responder;
    }

    /** The backend response body attached to this request, so it is closed if the route drops it. */
    public BodySource backendBody() {
        return backendBody;
    }

    public void attachBackendBody(BodySource body) {
        if (backendBody != null && backendBody != body) {
            backendBody.discard();
        }
        this.backendBody = body;
    }

    /** Registers what to cancel if the client goes away while the request is in flight (at once if it has). */
    public void onAbort(Runnable action) {
        this.onAbort = action;
        if (aborted && action != null) {
            abort();
        }
    }

    public boolean isAborted() {
        return aborted;
    }

    public void abort() {
        aborted = true;
        Runnable action = onAbort;
        onAbort = null;
        if (action != null) {
            action.run();
        }
    }

    /**
     * Runs {@code listener} once when this request is finished: its response's last byte was written, or the client
     * went away before. At once if it already is. Several listeners may be registered.
     */
    public void onFinished(Runnable listener) {
        synchronized (this) {
            if (finishedListeners != null) {
                finishedListeners.add(listener);
                return;
            }
        }
        listener.run();
    }

    /** Marks the request finished and runs the {@link #onFinished} listeners; later calls do nothing. */
    public void finished() {
        List<Runnable> listeners;
        synchronized (this) {
            listeners = finishedListeners;
            finishedListeners = null;
        }
        if (listeners != null) {
            listeners.forEach(Runnable::run);
        }
    }

    /** Writes to the client connection. Every method must be called on the connection's event loop. */
    public interface ResponseWriter {

        /** Relays a 1xx interim response (e.g. 100 Continue). */
        void writeInterim(HttpResponse interim);

        /** Sends the response head, then streams the body (null for none). */
        void respond(ProxyRequest request, HttpResponse head, BodySource body);

        /** Sends a response whose body is held in memory (a page the route made). */
        void respond(ProxyRequest request, HttpResponse head, ByteBuf content);

        /** Sends the gateway's own error page for this status. */
        default void respondError(ProxyRequest request, int status) {
            respondError(request, status, 0);
        }

        /** The same with a {@code Retry-After} (seconds, 0 for none). */
        void respondError(ProxyRequest request, int status, int retryAfterSeconds);
    }
}
