package dev.caravan.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A real HTTP backend on a loopback port for tests (Netty, no aggregation, so it can stream gigabytes). What it does
 * depends on the path:
 * <ul>
 *   <li>{@code /status/N}: answers status N with a short body (none where the status forbids one);</li>
 *   <li>{@code /slow/MS}: answers after MS milliseconds;</li>
 *   <li>{@code /download/N} ({@code ?chunked} for chunked framing): streams N bytes of {@link #pattern} with backpressure;</li>
 *   <li>{@code /hop}: answers with hop-by-hop headers a proxy must remove, plus two {@code Set-Cookie};</li>
 *   <li>{@code /close}: answers with {@code Connection: close} and closes;</li>
 *   <li>{@code /continue}: sends {@code 100 Continue} when asked, then counts the body;</li>
 *   <li>{@code /early-hints}: sends {@code 103 Early Hints} with a {@code Link} header, then echoes;</li>
 *   <li>anything else: after reading the whole body, echoes method, raw target, body size and CRC, and headers.</li>
 * </ul>
 * A leading version segment such as {@code /v2} is ignored when picking the behaviour. Every request head is
 * recorded in {@link #requests()}.
 */
public final class TestBackend implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    // closed by hand: Netty 4.2's group shutdown can leave accepted sockets open (BackendGoneUnderPoolTest)
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final String name;
    private final ConcurrentLinkedDeque<HttpRequest> requests = new ConcurrentLinkedDeque<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final StringBuilder received = new StringBuilder();
    private static final int RAW_BYTES_KEPT = 4 * 1024 * 1024;
    private final java.util.concurrent.atomic.AtomicLong bytesStreamed = new java.util.concurrent.atomic.AtomicLong();

    private TestBackend(String name, int port) throws InterruptedException {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                synchronized (received) {
                                    // the first MiBs are enough for exact-byte checks; bulk transfers are not kept
                                    if (received.length() < RAW_BYTES_KEPT) {
                                        received.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
                                    }
                                }
                                ctx.fireChannelRead(msg);
                            }
                        });
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    public static TestBackend start(String name) throws InterruptedException {
        return new TestBackend(name, 0);
    }

    public static TestBackend startOn(String name, int port) throws InterruptedException {
        return new TestBackend(name, port);
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public ConcurrentLinkedDeque<HttpRequest> requests() {
        return requests;
    }

    public HttpRequest lastRequest() {
        return requests.peekLast();
    }

    /** Every byte received so far (the first 4 MiB), in arrival order over all connections (ISO-8859-1). */
    public String rawBytes() {
        synchronized (received) {
            return received.toString();
        }
    }

    /** TCP connections accepted so far (shows keep-alive reuse). */
    public int connections() {
        return connections.get();
    }

    /** Download bytes handed to the socket so far (shows whether a slow client throttles the backend). */
    public long bytesStreamed() {
        return bytesStreamed.get();
    }

    private static final byte[] PATTERN_BLOCK = new byte[65536 + 251];

    static {
        for (int i = 0; i < PATTERN_BLOCK.length; i++) {
            PATTERN_BLOCK[i] = pattern(i);
        }
    }

    /** The byte at position i of every download. */
    public static byte pattern(long i) {
        return (byte) (i % 251);
    }

    public static long crcOfPattern(long length) {
        CRC32 crc = new CRC32();
        byte[] block = new byte[65536];
        long done = 0;
        while (done < length) {
            int n = (int) Math.min(block.length, length - done);
            for (int k = 0; k < n; k++) {
                block[k] = pattern(done + k);
            }
            crc.update(block, 0, n);
            done += n;
        }
        return crc.getValue();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private long bodyBytes;
        private final CRC32 crc = new CRC32();
        private long toSend;
        private long sent;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    request = r;
                    requests.add(r);
                    bodyBytes = 0;
                    crc.reset();
                    if (path().equals("/early-hints")) {
                        FullHttpResponse hints = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                HttpResponseStatus.valueOf(103));
                        hints.headers().add("Link", "</style.css>; rel=preload; as=style");
                        ctx.writeAndFlush(hints);
                    }
                    if (path().equals("/continue") && HttpUtil.is100ContinueExpected(r)) {
                        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                    }
                    if (path().startsWith("/slow/")) {
                        long delay = Long.parseLong(path().substring(6));
                        HttpRequest current = r;
                        ctx.executor().schedule(() -> {
                            if (ctx.channel().isActive()) {
                                respond(ctx, current, 200, "slow " + delay + "\n", Map.of());
                            }
                        }, delay, TimeUnit.MILLISECONDS);
                    }
                }
                if (msg instanceof HttpContent content) {
                    ByteBuf buf = content.content();
                    bodyBytes += buf.readableBytes();
                    if (buf.hasArray()) {
                        crc.update(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
                    } else {
                        crc.update(buf.nioBuffer());
                    }
                    if (content instanceof LastHttpContent) {
                        answer(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** The path that picks the behaviour; a leading version segment ({@code /v3/...}) is ignored. */
        private String path() {
            String uri = request.uri();
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            return path.matches("/v\\d+/.*") ? path.substring(path.indexOf('/', 1)) : path;
        }

        private void answer(ChannelHandlerContext ctx) {
            String path = path();
            if (path.startsWith("/slow/")) {
                return;
            }
            if (path.startsWith("/status/")) {
                int code = Integer.parseInt(path.substring(8));
                respond(ctx, request, code, "status " + code + " from " + name + "\n", Map.of("X-Backend", name));
            } else if (path.startsWith("/download/")) {
                download(ctx, Long.parseLong(path.substring(10)), request.uri().contains("chunked"));
            } else if (path.equals("/hop")) {
                FullHttpResponse response = full(200, "hop\n");
                response.headers()
                        .add(HttpHeaderNames.CONNECTION, "keep-alive, X-Hop-Listed")
                        .add("X-Hop-Listed", "secret")
                        .add(HttpHeaderNames.KEEP_ALIVE, "timeout=30")
                        .add(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic")
                        .add("Proxy-Connection", "keep-alive")
                        .add(HttpHeaderNames.TE, "trailers")
                        .add("X-End-To-End", "kept")
                        .add(HttpHeaderNames.SET_COOKIE, "a=1; Path=/")
                        .add(HttpHeaderNames.SET_COOKIE, "b=2; Path=/")
                        .add(HttpHeaderNames.CACHE_CONTROL, "max-age=60")
                        .add(HttpHeaderNames.DATE, "Thu, 26 Nov 2026 10:00:00 GMT");
                write(ctx, request, response);
            } else if (path.equals("/close")) {
                FullHttpResponse response = full(200, "closing\n");
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                StringBuilder echo = new StringBuilder()
                        .append("backend ").append(name).append('\n')
                        .append("method ").append(request.method()).append('\n')
                        .append("target ").append(request.uri()).append('\n')
                        .append("body-bytes ").append(bodyBytes).append('\n')
                        .append("body-crc ").append(crc.getValue()).append('\n');
                for (Map.Entry<String, String> h : request.headers()) {
                    echo.append("header ").append(h.getKey()).append(": ").append(h.getValue()).append('\n');
                }
                respond(ctx, request, 200, echo.toString(), Map.of("X-Backend", name));
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req, int code, String body, Map<String, String> headers) {
            boolean noBody = code == 204 || code == 304 || code < 200;
            FullHttpResponse response = full(code, noBody ? "" : body);
            headers.forEach(response.headers()::set);
            if (noBody) {
                response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            }
            write(ctx, req, response);
        }

        private void write(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse response) {
            if (req.method().equals(HttpMethod.HEAD)) {
                response.content().clear();
            }
            ctx.writeAndFlush(response);
        }

        private FullHttpResponse full(int code, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(bytes));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return response;
        }

        private void download(ChannelHandlerContext ctx, long length, boolean chunked) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(head, true);
            } else {
                HttpUtil.setContentLength(head, length);
            }
            ctx.write(head);
            if (request.method().equals(HttpMethod.HEAD)) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            toSend = length;
            sent = 0;
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            while (sent < toSend && ctx.channel().isWritable()) {
                int n = (int) Math.min(65536, toSend - sent);
                // the pattern repeats every 251 bytes, so every chunk is a slice of one precomputed block
                ByteBuf chunk = Unpooled.wrappedBuffer(PATTERN_BLOCK, (int) (sent % 251), n);
                sent += n;
                bytesStreamed.addAndGet(n);
                ctx.write(new DefaultHttpContent(chunk));
            }
            if (sent >= toSend && toSend > 0) {
                toSend = 0;
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else if (toSend == 0 && sent == 0) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                ctx.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (toSend > 0 && ctx.channel().isWritable()) {
                pump(ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
