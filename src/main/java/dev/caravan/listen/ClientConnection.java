package dev.caravan.listen;

import dev.caravan.http.BodySource;
import dev.caravan.http.ChannelBodyWriter;
import dev.caravan.http.ClientInfo;
import dev.caravan.http.ClientResponder;
import dev.caravan.http.ErrorPage;
import dev.caravan.http.HostHeader;
import dev.caravan.http.MessageHeaders;
import dev.caravan.http.PathCanonicalizer;
import dev.caravan.http.PeerAddress;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ReadControl;
import dev.caravan.http.RequestLog;
import dev.caravan.http.RequestLog.Outcome;
import dev.caravan.http.ResponseHeadFilter;
import dev.caravan.http.StreamingBody;
import dev.caravan.tls.ClientCertificateSubject;
import dev.caravan.websocket.Tunnel;
import dev.caravan.websocket.UpgradedBackend;
import dev.caravan.websocket.WebSocketHandshake;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
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
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One client connection, HTTP/1.1 (or one HTTP/2 stream, see below): reads requests one at a time, makes a {@link ProxyExchange} for each and hands it
 * to the listener's {@link RouteTable}, writes the answer and streams its body, then reads the next (pipelined requests
 * wait in a backlog). It owns what belongs to the connection: request validation, framing of responses, keep-alive,
 * backpressure on the request body, discarding unwanted bodies, and the idle timeout. Everything runs on the
 * connection's event loop.
 *
 * <p>On an HTTP/2 stream's channel (after {@code dev.caravan.h2}'s stream codec) it serves exactly one request: what is
 * a connection's concern on HTTP/1.1 (keep-alive, requests per connection, pipelining, reading past an unwanted body,
 * response framing) is the HTTP/2 connection's there, so after the response the stream's channel closes (a client
 * still sending gets RST_STREAM); request validation, the exchange, backpressure and the per-request timeouts are the
 * same.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements ReadControl, ClientResponder {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    /** Pipelined messages held while a response is in progress before reading pauses. */
    private static final int MAX_BACKLOG = 8;
    /** Bytes of an unwanted request body read and dropped after the response before the connection is closed. */
    private static final long DISCARD_LIMIT = 1024 * 1024;
    /** {@link #unwritableSince} when the client is reading (nanoTime can be any long; this one value means none). */
    private static final long READING = Long.MIN_VALUE;

    private final ListenerConfig config;
    private final List<ResponseHeadFilter> listenerFilters;
    private final RouteTable routes;
    private final ResponseEncoder encoder;
    private final long headerTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final long keepAliveTimeoutNanos;
    private final long sendTimeoutNanos;
    private final long checkPeriodNanos;
    private final LongSupplier clock;
    private final long acceptedNanos;
    private ChannelHandlerContext ctx;
    private ProxyExchange current;
    private boolean requestComplete;
    private boolean closeAfterResponse;
    /** The current exchange was refused (malformed); its answer closes the connection. */
    private boolean refusing;
    private boolean closing;
    private boolean bodyPaused;
    /** A response finished while the client was not reading: the next request waits until it drains. */
    private boolean awaitingDrain;
    /** The last write of the latest response: shutdown closes the connection only once it is done. */
    private ChannelFuture lastResponseWrite;
    private long discardBudget;
    private BodySource responseBody;
    private ChannelBodyWriter responseWriter;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(2);
    /** The client of every request here, when the peer is not a trusted proxy (see {@link #clientOf}). */
    private ClientInfo peerClient;
    private long lastActivity;
    /** When the first byte of the request head being read arrived (0: none is being read). */
    private long headStarted;
    /** Bytes of a request head arrived that did not make a whole head yet. */
    private boolean headBytes;
    /** Requests started on this connection. */
    private int requests;
    /** When the client stopped reading what we wrote (the connection became unwritable), or {@link #READING}. */
    private long unwritableSince = READING;
    /** Reads are timed by {@link InboundBytes} (an HTTP/1 connection; not an HTTP/2 stream). */
    private boolean rawBytes;
    private ScheduledFuture<?> idleCheck;

    private final Consumer<ProxyExchange> onExchange;
    /** One request on an HTTP/2 stream's channel (no encoder, no keep-alive). */
    private final boolean stream;

    /**
     * @param clock      {@code ReadTime::now} (a response that ends during a backend read takes that read's time for
     *                   the connection's idle clock, no clock read of its own), or a clock of a test's own
     * @param onExchange told of every exchange as it starts (the listener's observers subscribe to its end)
     */
    ClientConnection(ListenerConfig config, RouteTable routes, ResponseEncoder encoder, LongSupplier clock,
                     Consumer<ProxyExchange> onExchange) {
        this(config, routes, encoder, clock, onExchange, false);
    }

    /** @param stream true on an HTTP/2 stream's channel ({@code encoder} is then null) */
    ClientConnection(ListenerConfig config, RouteTable routes, ResponseEncoder encoder, LongSupplier clock,
                     Consumer<ProxyExchange> onExchange, boolean stream) {
        this.stream = stream;
        this.onExchange = onExchange;
        this.config = config;
        this.listenerFilters = config.responseFilters();
        this.routes = routes;
        this.encoder = encoder;
        ClientLimits limits = config.limits();
        this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.headerTimeoutMillis());
        this.bodyTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.bodyTimeoutMillis());
        this.keepAliveTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.keepAliveTimeoutMillis());
        this.sendTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(limits.sendTimeoutMillis());
        // one check per connection at a quarter of the shortest timeout: each fires at most 25% late
        this.checkPeriodNanos = Math.min(Math.min(headerTimeoutNanos, bodyTimeoutNanos),
                Math.min(keepAliveTimeoutNanos, sendTimeoutNanos)) / 4;
        this.clock = clock;
        this.acceptedNanos = clock.getAsLong();
        this.headStarted = acceptedNanos; // a new connection owes its first request head within the header timeout
        this.lastActivity = acceptedNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        scheduleIdleCheck(checkPeriodNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // the connection switched protocol (HTTP/2, a WebSocket tunnel): its timer is no longer this handler's
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
    }

    /** {@link InboundBytes} is in the pipeline: the time of each read is taken there, once for all it decodes to. */
    void countsRawBytes() {
        rawBytes = true;
    }

    /**
     * Raw bytes arrived (before decoding): a request head may be under way, and its header timeout runs.
     *
     * @return the time they arrived
     */
    long bytesArrived() {
        long now = clock.getAsLong();
        lastActivity = now;
        if (current == null && backlog.isEmpty()) {
            headBytes = true;
            if (headStarted == 0) {
                headStarted = now;
            }
        }
        return now;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!rawBytes) {
            lastActivity = clock.getAsLong();
        }
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
                    ReferenceCountUtil.release(content);
                    malformedBody(content.decoderResult().cause());
                    return;
                }
                if (content instanceof LastHttpContent last) {
                    requestComplete = true;
                    content = withoutTrailers(last);
                }
                current.countBytesIn(content.content().readableBytes());
                current.incomingBody().offer(content);
                return;
            }
            // a pipelined request: it waits until the current response is written
            backlog.add(msg);
            if (backlog.size() >= MAX_BACKLOG) {
                setAutoRead(false);
            }
            return;
        }
        if (awaitingDrain) {
            // read before reading stopped: it waits, in order, until the client drains what we wrote
            backlog.add(msg);
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

    /**
     * A malformed chunk: the body is cut short (whoever reads it sees the failure), the decoder discards the rest,
     * and the client gets a 400 if no response has started, then the connection closes.
     */
    private void malformedBody(Throwable cause) {
        abandonRequestBody(400, cause);
    }

    /**
     * Gives up on the request body being read: whoever reads it sees the failure, the client gets {@code status} if
     * no response has started, and the connection closes after that (or now).
     */
    private void abandonRequestBody(int status, Throwable cause) {
        ProxyExchange exchange = current;
        exchange.incomingBody().fail(cause);
        refusing = true;
        requestComplete = true;
        closeAfterResponse = true;
        setAutoRead(false);
        if (responseBody == null && !exchange.hasResponded()) {
            exchange.respondError(status);
        } else {
            closing = true;
            ctx.close();
        }
    }

    /**
     * Request trailers are dropped: a backend that reads them would take them as headers, and they would bypass every
     * rule applied to the head (forged {@code X-Forwarded-For}, {@code Caravan*}, identity headers).
     */
    private static HttpContent withoutTrailers(LastHttpContent last) {
        if (last.trailingHeaders().isEmpty()) {
            return last;
        }
        return new DefaultLastHttpContent(last.content());
    }

    private void startRequest(HttpRequest request) {
        discardBudget = 0;
        requestComplete = false;
        bodyPaused = false;
        refusing = false;
        headStarted = 0;
        headBytes = false;
        int maxRequests = config.limits().maxRequestsPerConnection();
        closeAfterResponse = stream || !MessageHeaders.isKeepAlive(request) || (maxRequests > 0 && ++requests >= maxRequests);
        String target = originForm(request.uri());
        int invalid = request.decoderResult().isFailure()
                ? statusForDecodeFailure(request) : validate(request, target);
        String canonical = "/";
        if (invalid == 0) {
            try {
                canonical = config.paths().canonical(pathOf(target));
            } catch (PathCanonicalizer.InvalidPathException e) {
                invalid = 400; // a path that servers would read differently is not guessed at
            }
        }
        StreamingBody body = invalid == 0 ? new StreamingBody(this) : StreamingBody.empty();
        body.readBurstStarted();
        ClientInfo client = clientOf(request);
        current = new ProxyExchange(request, target == null ? "/" : target, canonical, body, ctx.channel(), client, this,
                listenerFilters, new RequestLog(acceptedNanos, lastActivity)); // (the head's read, or later)
        current.log().protocol(stream ? "HTTP/2" : request.protocolVersion().text());
        onExchange.accept(current);
        if (invalid != 0) {
            refuse(request, invalid);
            return;
        }
        if (!stream && WebSocketHandshake.isUpgradeRequest(request.headers())) {
            // what follows the handshake is either the tunnel's or nothing: read no further until the answer
            current.markWebSocketUpgrade();
            closeAfterResponse = true;
            ctx.pipeline().get(RequestDecoder.class).hold();
            setAutoRead(false);
        }
        routes.dispatch(current);
    }

    /** Answers a malformed or smuggling-prone request and closes: nothing after it on this connection is trusted. */
    private void refuse(HttpRequest request, int status) {
        ReferenceCountUtil.release(request);
        refusing = true;
        closeAfterResponse = true;
        requestComplete = true;
        setAutoRead(false);
        current.respondError(status);
    }

    /**
     * Who sent this request. Only a trusted proxy's forwarding headers name someone else; for any other peer the
     * answer is the same for every request of the connection, so it is worked out once and kept.
     */
    private ClientInfo clientOf(HttpRequest request) {
        if (peerClient != null) {
            return peerClient;
        }
        InetAddress peer = PeerAddress.of(ctx.channel()).getAddress();
        ClientInfo.Peer standing = config.forwardedTrust().peer(peer);
        ClientInfo client = new ClientInfo(config.name(), config.secure(),
                config.forwardedTrust().clientOf(peer, request.headers()), standing, clientCertSubject());
        if (standing != ClientInfo.Peer.TRUSTED_PROXY) {
            peerClient = client;
        }
        return client;
    }

    /** Read once per TLS connection and kept there, where every HTTP/2 stream of it finds it. */
    private String clientCertSubject() {
        return config.secure() ? ClientCertificateSubject.of(stream ? ctx.channel().parent() : ctx.channel()) : null;
    }

    /** Returns 0 for a well-formed request, else the status to reject it with. */
    private int validate(HttpRequest request, String target) {
        if (request.method().equals(HttpMethod.CONNECT)) {
            return 501; // no tunnelling: a backend that says yes would leave HTTP framing on a pooled connection
        }
        if (target == null || hasControlCharacter(request.uri())) {
            return 400;
        }
        HttpHeaders headers = request.headers();
        if (WebSocketHandshake.isUpgradeRequest(headers) && (!request.method().equals(HttpMethod.GET)
                || !request.protocolVersion().equals(HttpVersion.HTTP_1_1) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || HttpUtil.getContentLength(request, 0L) > 0)) {
            return 400; // RFC 6455 4.1: a handshake is an HTTP/1.1 GET without a body; anything else is not proxied
        }
        if (headers.size() > config.limits().maxHeaderCount()) {
            return 431;
        }
        // the values as stored (getAll() would copy them into a new list on every request)
        Iterator<? extends CharSequence> hosts = headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
        if (hosts.hasNext()) {
            String host = hosts.next().toString();
            if (hosts.hasNext() || !HostHeader.isValid(host)) {
                return 400; // two Host fields, or one that is not a host
            }
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return 400;
        }
        return transferCodingStatus(request);
    }

    /**
     * 0 unless the request names transfer codings: then 400 on HTTP/1.0, and 501 (RFC 9112 6.1: a coding the server
     * does not implement) for anything but a single {@code chunked}.
     */
    private static int transferCodingStatus(HttpRequest request) {
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
        return 0;
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /**
     * CTLs (NUL included) and DEL never belong in a request target, however byte-exact the forwarding; nor does a
     * fragment, which a backend would cut off after the rules have looked at the path.
     */
    private static boolean hasControlCharacter(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c < 0x21 || c == 0x7F || c == '#') {
                return true;
            }
        }
        return false;
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

    private static int statusForDecodeFailure(HttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            return 414;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return 431;
        }
        if (cause instanceof TooLongFrameException) {
            return 413;
        }
        if (cause instanceof RequestDecoder.FramedTwice) {
            return 400;
        }
        // Netty 4.2's decoder refuses transfer codings that do not end in chunked itself, before validate() sees
        // them; they keep the answer they had (its head is whole by then, so the fields are there to read)
        int transferCoding = transferCodingStatus(request);
        return transferCoding != 0 ? transferCoding : 400;
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
            current.incomingBody().batchEnd();
        }
        ctx.fireChannelReadComplete();
    }

    // ---- ClientResponder: the exchange's pipeline has run; frame and write

    @Override
    public void writeInterim(ProxyExchange exchange, HttpResponse interim) {
        // a client that does not read gets no more 1xx: they are optional, and a backend could send them forever
        if (exchange == current && responseBody == null && exchange.version().equals(HttpVersion.HTTP_1_1)
                && ctx.channel().isWritable()) {
            answeringHead(false);
            ctx.writeAndFlush(interim);
        } else {
            ReferenceCountUtil.release(interim);
        }
    }

    @Override
    public void write(ProxyExchange exchange, HttpResponse head, BodySource body) {
        if (exchange != current || responseBody != null || !ctx.channel().isActive()) {
            if (body != null) {
                body.discard();
            }
            return;
        }
        if (head.status().code() == 101) {
            switchToWebSocket(exchange, head, body);
            return;
        }
        if (head.status().code() == 413 && !requestComplete) {
            closeAfterResponse = true; // the rest of a body that is too large is not worth reading
        }
        boolean headRequest = exchange.method().equals(HttpMethod.HEAD) && !refusing;
        boolean noBody = headRequest || !mayHaveBody(head.status().code());
        HttpHeaders headers = head.headers();
        if (noBody) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            if (!mayHaveBody(head.status().code())) {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            }
            if (body != null) {
                body.discard();
                body = null;
            }
        } else if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (exchange.version().equals(HttpVersion.HTTP_1_0)) {
                closeAfterResponse = true; // an HTTP/1.0 client reads to the close
            } else {
                HttpUtil.setTransferEncodingChunked(head, true);
            }
        }
        if (closeAfterResponse) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.version().equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        answeringHead(headRequest);
        ctx.write(head, ctx.voidPromise());
        if (body == null) {
            finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        responseBody = body;
        responseWriter = new ChannelBodyWriter(ctx.channel(), body, this::finish, this::responseBodyFailed);
        body.subscribe(responseWriter);
    }

    /**
     * The backend accepted a WebSocket handshake: the 101 goes to the client, then this connection stops being HTTP
     * and is spliced with the backend's ({@link Tunnel}). A 101 without an accepted handshake behind it (a route
     * that made one up) cannot be honoured: the connection closes.
     */
    private void switchToWebSocket(ProxyExchange exchange, HttpResponse head, BodySource body) {
        if (!(body instanceof UpgradedBackend backend) || !exchange.isWebSocketUpgrade() || stream) {
            LOG.warn("A 101 for {} {} without a WebSocket handshake behind it; closing", exchange.method(),
                    exchange.rawTarget());
            if (body != null) {
                body.discard();
            }
            closing = true;
            ctx.close();
            return;
        }
        HttpHeaders headers = head.headers();
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.set(HttpHeaderNames.UPGRADE, "websocket");
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        answeringHead(false);
        ctx.writeAndFlush(head, ctx.voidPromise());
        current = null;
        closing = true;
        backlog.forEach(ReferenceCountUtil::release);
        backlog.clear();
        Tunnel.open(exchange, ctx.channel(), backend, () -> {
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.remove(this);
            pipeline.remove("encoder");
            pipeline.remove("bytes");
            pipeline.remove("decoder"); // last: the bytes it held after the handshake go on to the tunnel
        });
    }

    @Override
    public void cut(ProxyExchange exchange) {
        if (exchange == current) {
            ctx.close();
        }
    }

    /** Tells the HTTP/1.1 encoder whether the response answers a HEAD (HTTP/2 frames need no such hint). */
    private void answeringHead(boolean head) {
        if (encoder != null) {
            encoder.answeringHead(head);
        }
    }

    private static boolean mayHaveBody(int status) {
        return status >= 200 && status != 204 && status != 304;
    }

    private void finish(ChannelFuture lastWrite) {
        ProxyExchange done = current;
        current = null;
        responseBody = null;
        responseWriter = null;
        lastActivity = clock.getAsLong();
        headStarted = 0;
        headBytes = false;
        boolean refused = refusing;
        lastResponseWrite = lastWrite;
        lastWrite.addListener(f -> done.finished(refused ? Outcome.REFUSED
                : f.isSuccess() ? Outcome.COMPLETED : Outcome.CLIENT_GONE));
        // a body the route never sent anywhere is dropped (and its buffers released); what is still on its way is
        // read and thrown away, up to a limit, so the connection can serve the next request
        done.incomingBody().discard();
        if (!requestComplete) {
            discardBudget = DISCARD_LIMIT;
        }
        if (closeAfterResponse) {
            closing = true;
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!ctx.channel().isWritable()) {
            // the client is not reading what we wrote: start nothing more (no pipelined request, no reading) until
            // it drains, so a client that pipelines and never reads cannot make us buffer response after response
            awaitingDrain = true;
            setAutoRead(false);
            return;
        }
        continueWithBacklog();
    }

    /** Takes the next pipelined request, if any, and reads on. */
    private void continueWithBacklog() {
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
        if (current != null) {
            current.finished(Outcome.RESPONSE_FAILED);
        }
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            if (unwritableSince == READING) {
                unwritableSince = clock.getAsLong();
            }
        } else {
            unwritableSince = READING;
            if (awaitingDrain && current == null) {
                awaitingDrain = false;
                continueWithBacklog();
            }
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
        ProxyExchange abandoned = current;
        current = null;
        if (abandoned != null) {
            abandoned.finished(Outcome.CLIENT_GONE);
            abandoned.incomingBody().fail(new ClosedChannelException());
            abandoned.incomingBody().discard();
            abandoned.abort();
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
        if (current != null) {
            closeAfterResponse = true;
        } else if (lastResponseWrite != null && !lastResponseWrite.isDone()) {
            // the response is finished but not all written (a client reading slowly): it still gets all of it
            closing = true;
            lastResponseWrite.addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = ctx.executor().schedule(this::checkIdle, Math.max(delayNanos, TimeUnit.MILLISECONDS.toNanos(10)),
                TimeUnit.NANOSECONDS);
    }

    /**
     * One timer per connection enforces the per-phase timeouts: the request head (slowloris), pauses in the request
     * body, idle keep-alive, and a client that stops reading a response. Each cuts only what it guards, so a slow
     * reader of a large download is not confused with an idle connection.
     */
    private void checkIdle() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = clock.getAsLong();
        if (current == null) {
            if (awaitingDrain) {
                if (stoppedReadingFor(now) >= sendTimeoutNanos) {
                    ctx.close();
                    return;
                }
            } else if (headStarted != 0) {
                if (now - headStarted >= headerTimeoutNanos) {
                    headTimedOut();
                    return;
                }
            } else if (now - lastActivity >= keepAliveTimeoutNanos) {
                ctx.close();
                return;
            }
        } else {
            if (!requestComplete && !bodyPaused && now - lastActivity >= bodyTimeoutNanos) {
                abandonRequestBody(408, new java.util.concurrent.TimeoutException("request body timed out"));
                return;
            }
            if (responseWriter != null && stoppedReadingFor(now) >= sendTimeoutNanos) {
                ctx.close();
                return;
            }
        }
        scheduleIdleCheck(checkPeriodNanos);
    }

    /**
     * How long the client has not been reading what we wrote (0 while it reads). Timed from the writability event;
     * if the check sees the connection unwritable before that event arrived, from now.
     */
    private long stoppedReadingFor(long now) {
        if (ctx.channel().isWritable()) {
            return 0;
        }
        if (unwritableSince == READING) {
            unwritableSince = now;
        }
        return now - unwritableSince;
    }

    /** The head did not complete in time: a 408 if the client sent part of one, else just close (nginx does too). */
    private void headTimedOut() {
        closing = true;
        if (!headBytes) {
            ctx.close();
            return;
        }
        FullHttpResponse page = ErrorPage.render(ctx.alloc(), HttpVersion.HTTP_1_1, 408, null);
        page.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        answeringHead(false);
        ctx.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    }
}
