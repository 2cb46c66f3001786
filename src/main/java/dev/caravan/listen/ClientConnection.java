package dev.caravan.listen;

import dev.caravan.access.ForwardedTrust;
import dev.caravan.http.BodySource;
import dev.caravan.http.ChannelBodyWriter;
import dev.caravan.http.ErrorPage;
import dev.caravan.http.ProxyRequest;
import dev.caravan.http.ReadControl;
import dev.caravan.http.StreamingBody;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: reads requests one at a time, hands each to the listener's {@link RouteTable}, writes the
 * answer and streams its body, then reads the next (pipelined requests wait in a backlog). Everything runs on the
 * connection's event loop.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements ReadControl, ProxyRequest.ResponseWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    /** Pipelined messages held while a response is in progress before reading pauses. */
    private static final int MAX_BACKLOG = 8;
    /** Bytes of an unwanted request body read and dropped after the response before the connection is closed. */
    private static final long DISCARD_LIMIT = 1024 * 1024;
    private static final String STRICT_TRANSPORT_SECURITY = "Strict-Transport-Security";

    private final RouteTable routes;
    private final ResponseEncoder encoder;
    private final boolean secure;
    private final String hsts;
    private final ForwardedTrust trust;
    private final long idleTimeoutNanos;
    /** The verified client certificate's subject, read once per connection (its handshake is done by then). */
    private String clientCertSubject;
    private boolean clientCertRead;
    private ChannelHandlerContext ctx;
    private ProxyRequest current;
    private boolean requestComplete;
    private boolean closeAfterResponse;
    private boolean closing;
    private boolean bodyPaused;
    private long discardBudget;
    private BodySource responseBody;
    private ChannelBodyWriter responseWriter;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(2);
    private long lastActivity = System.nanoTime();
    /** When the client last drained what we wrote (or a response began). */
    private long lastWritable = System.nanoTime();
    private ScheduledFuture<?> idleCheck;

    ClientConnection(RouteTable routes, ResponseEncoder encoder, boolean secure, String hsts, ForwardedTrust trust,
                     long idleTimeoutMillis) {
        this.routes = routes;
        this.trust = trust;
        this.encoder = encoder;
        this.secure = secure;
        this.hsts = hsts;
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        scheduleIdleCheck(idleTimeoutNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActivity = System.nanoTime();
        accept(msg);
    }

    private void accept(Object msg) {
        if (closing) {
            // after a rejection or a final response, nothing more from this connection is acted on
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null) {
            if (!requestComplete && msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
                if (content.decoderResult().isFailure()) {
                    // a malformed chunk: the body is cut short, and the decoder now discards the rest
                    ReferenceCountUtil.release(content);
                    current.body().fail(content.decoderResult().cause());
                    closing = true;
                    ctx.close();
                    return;
                }
                if (content instanceof LastHttpContent) {
                    requestComplete = true;
                }
                current.body().offer(content);
                return;
            }
            // a pipelined request: it waits until the current response is written
            backlog.add(msg);
            if (backlog.size() >= MAX_BACKLOG) {
                setAutoRead(false);
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            startRequest(request);
            return;
        }
        if (msg instanceof HttpContent content && discardBudget > 0) {
            discardBudget -= content.content().readableBytes();
            if (content instanceof LastHttpContent) {
                discardBudget = 0;
            } else if (discardBudget <= 0) {
                ctx.close(); // too much unwanted body: not worth reading
            }
        }
        ReferenceCountUtil.release(msg);
    }

    private void startRequest(HttpRequest request) {
        discardBudget = 0;
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            rejectAndClose(request.protocolVersion(), statusForDecodeFailure(result.cause()), request);
            return;
        }
        int invalid = validate(request);
        if (invalid != 0) {
            rejectAndClose(request.protocolVersion(), invalid, request);
            return;
        }
        String target = originForm(request.uri());
        if (target == null) {
            rejectAndClose(request.protocolVersion(), 400, request);
            return;
        }
        requestComplete = false;
        bodyPaused = false;
        closeAfterResponse = !HttpUtil.isKeepAlive(request);
        // reading goes on: a body is queued up to a high-water mark until a route sends it somewhere, and
        // pipelined requests wait in the backlog; both pause reading when full, so the common case costs no syscall
        StreamingBody body = new StreamingBody(this);
        body.readBurstStarted();
        java.net.InetAddress peer = ((java.net.InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        current = new ProxyRequest(request, target, body, ctx.channel(), secure, clientCertSubject(),
                trust.clientOf(peer, () -> request.headers().getAll("X-Forwarded-For")), trust.keepsChainFrom(peer),
                this);
        routes.dispatch(current);
    }

    private String clientCertSubject() {
        if (secure && !clientCertRead) {
            clientCertRead = true;
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            if (tls != null) {
                try {
                    Certificate[] chain = tls.engine().getSession().getPeerCertificates();
                    if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                        clientCertSubject = leaf.getSubjectX500Principal().getName();
                    }
                } catch (SSLPeerUnverifiedException e) {
                    // no client certificate (clientAuth none, or optional and the client sent none)
                }
            }
        }
        return clientCertSubject;
    }

    /** Returns 0 for a well-formed request, else the status to reject it with. */
    private static int validate(HttpRequest request) {
        HttpHeaders headers = request.headers();
        String transferEncoding = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
        if (transferEncoding != null) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                return 400;
            }
            if (!HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(transferEncoding.trim())
                    || headers.getAll(HttpHeaderNames.TRANSFER_ENCODING).size() > 1) {
                return 501;
            }
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1) && headers.getAll(HttpHeaderNames.HOST).size() != 1) {
            return 400;
        }
        return 0;
    }

    /** The request target in origin form ({@code /path?query}); absolute-form targets lose scheme and authority. */
    private static String originForm(String uri) {
        if (uri.startsWith("/") || uri.equals("*")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme > 0 && (uri.regionMatches(true, 0, "http", 0, 4))) {
            int slash = uri.indexOf('/', scheme + 3);
            if (slash < 0) {
                int query = uri.indexOf('?', scheme + 3);
                return query < 0 ? "/" : "/" + uri.substring(query);
            }
            return uri.substring(slash);
        }
        return null;
    }

    private static int statusForDecodeFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return 414;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return 431;
        }
        if (cause instanceof TooLongFrameException) {
            return 413;
        }
        return 400;
    }

    private void rejectAndClose(HttpVersion version, int status, HttpRequest request) {
        ReferenceCountUtil.release(request);
        encoder.answeringHead(false);
        FullHttpResponse page = ErrorPage.render(ctx.alloc(), version.isKeepAliveDefault() ? version : HttpVersion.HTTP_1_1,
                status, request.headers().get(HttpHeaderNames.ACCEPT));
        page.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        addHsts(page.headers());
        closing = true;
        setAutoRead(false);
        ctx.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- ReadControl: backpressure for the current request body

    @Override
    public void pauseReading() {
        bodyPaused = true;
        setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        bodyPaused = false;
        if (current != null && !requestComplete && !closing) {
            setAutoRead(true);
        }
    }

    private void setAutoRead(boolean autoRead) {
        ctx.channel().config().setAutoRead(autoRead);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.body().batchEnd();
        }
        ctx.fireChannelReadComplete();
    }

    // ---- responses

    @Override
    public void writeInterim(HttpResponse interim) {
        if (current != null && responseBody == null && current.version().equals(HttpVersion.HTTP_1_1)) {
            encoder.answeringHead(false);
            ctx.writeAndFlush(interim);
        } else {
            ReferenceCountUtil.release(interim);
        }
    }

    /** Sends a response whose body streams from {@code body} (null for none). Must run on the event loop. */
    @Override
    public void respond(ProxyRequest request, HttpResponse head, BodySource body) {
        if (request != current || responseBody != null || !ctx.channel().isActive()) {
            if (body != null) {
                body.discard();
            }
            return;
        }
        boolean noBody = request.method().equals(HttpMethod.HEAD) || !mayHaveBody(head.status().code());
        HttpHeaders headers = head.headers();
        addHsts(headers);
        if (noBody) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        } else if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (request.version().equals(HttpVersion.HTTP_1_0)) {
                closeAfterResponse = true; // an HTTP/1.0 client reads to the close
            } else {
                HttpUtil.setTransferEncodingChunked(head, true);
            }
        }
        if (closeAfterResponse) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.version().equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        encoder.answeringHead(request.method().equals(HttpMethod.HEAD));
        ctx.write(head, ctx.voidPromise());
        if (body == null) {
            finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        responseBody = body;
        lastWritable = System.nanoTime();
        responseWriter = new ChannelBodyWriter(ctx.channel(), body, this::finish, this::responseBodyFailed);
        body.subscribe(responseWriter);
    }

    /** Sends a complete response held in memory. Must run on the event loop. */
    @Override
    public void respond(ProxyRequest request, HttpResponse head, ByteBuf content) {
        if (request != current || responseBody != null || !ctx.channel().isActive()) {
            content.release();
            return;
        }
        boolean headRequest = request.method().equals(HttpMethod.HEAD);
        HttpHeaders headers = head.headers();
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (mayHaveBody(head.status().code())) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        } else {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (headRequest || !mayHaveBody(head.status().code())) {
            content.release();
            respond(request, head, (BodySource) null);
        } else {
            StreamingBody body = new StreamingBody(this);
            body.offer(new DefaultLastHttpContent(content));
            respond(request, head, body);
        }
    }

    @Override
    public void respondError(ProxyRequest request, int status, int retryAfterSeconds) {
        FullHttpResponse page = ErrorPage.render(ctx.alloc(), request.version(), status,
                request.head().headers().get(HttpHeaderNames.ACCEPT));
        if (retryAfterSeconds > 0) {
            page.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        HttpResponse head = new DefaultHttpResponse(page.protocolVersion(), page.status(), page.headers());
        respond(request, head, page.content());
    }

    /** On the TLS listener every response, error pages included, carries the configured HSTS policy (ours wins). */
    private void addHsts(HttpHeaders headers) {
        if (hsts != null) {
            headers.set(STRICT_TRANSPORT_SECURITY, hsts);
        }
    }

    private static boolean mayHaveBody(int status) {
        return status >= 200 && status != 204 && status != 304;
    }

    private void finish(ChannelFuture lastWrite) {
        ProxyRequest done = current;
        current = null;
        responseBody = null;
        responseWriter = null;
        lastActivity = System.nanoTime();
        lastWrite.addListener(written -> done.finished()); // lifecycle: the request is done once its last byte is out
        // a body the route never sent anywhere is dropped (and its buffers released); what is still on its way is
        // read and thrown away, up to a limit, so the connection can serve the next request
        done.body().discard();
        if (!requestComplete) {
            discardBudget = DISCARD_LIMIT;
        }
        if (closeAfterResponse) {
            closing = true;
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Object next;
        while (!closing && (next = backlog.peek()) != null) {
            if (current != null && (requestComplete || !(next instanceof HttpContent) || next instanceof HttpRequest)) {
                break;
            }
            backlog.poll();
            accept(next);
        }
        // read on, unless a body being forwarded waits for its backend to drain, or we are closing
        if (current == null) {
            bodyPaused = false;
        }
        if (!closing && !bodyPaused) {
            setAutoRead(true);
        }
    }

    private void responseBodyFailed(Throwable cause) {
        LOG.debug("Response body failed mid-stream; closing the client connection", cause);
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            lastWritable = System.nanoTime();
        }
        if (responseWriter != null) {
            responseWriter.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        ProxyRequest abandoned = current;
        current = null;
        if (abandoned != null) {
            abandoned.body().fail(new ClosedChannelException());
            abandoned.body().discard();
            abandoned.abort();
            abandoned.finished(); // lifecycle: an abandoned request is finished too
            if (responseBody != null) {
                responseBody.discard();
            }
            BodySource backend = abandoned.backendBody();
            if (backend != null) {
                backend.discard();
            }
        }
        Object msg;
        while ((msg = backlog.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Client connection error; closing", cause);
        ctx.close();
    }

    /** Shutdown: close now if between requests, else right after the current response. */
    void closeWhenIdle() {
        if (current == null) {
            ctx.close();
        } else {
            closeAfterResponse = true;
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The idle timeout also guards a request in progress: a client that stops sending a body we are reading
     * (slowloris), or stops reading a response we are writing, loses the connection after the same time, so it cannot
     * hold a client and a backend connection open forever.
     */
    private void checkIdle() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long idleFor = now - lastActivity;
        boolean stalledSending = current != null && !requestComplete && !bodyPaused && idleFor >= idleTimeoutNanos;
        boolean stalledReading = responseWriter != null && !ctx.channel().isWritable()
                && now - lastWritable >= idleTimeoutNanos;
        if ((current == null && idleFor >= idleTimeoutNanos) || stalledSending || stalledReading) {
            ctx.close();
        } else {
            scheduleIdleCheck(current == null ? idleTimeoutNanos - idleFor : Math.max(idleTimeoutNanos / 4, 1));
        }
    }
}
