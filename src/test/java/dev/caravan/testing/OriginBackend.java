package dev.caravan.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for cache, compression and idempotency tests that counts its hits and answers what the query asks for,
 * so each test spells out the response it wants in its own URL:
 * <ul>
 *   <li>{@code cc=} Cache-Control, {@code expires=S} (Expires S seconds from now), {@code etag=}, {@code lm=S}
 *       (Last-Modified S seconds ago), {@code vary=}, {@code status=}, {@code type=} (Content-Type, default
 *       text/plain), {@code cookie=} (Set-Cookie), {@code location=}, {@code age=}, {@code ce=} (a Content-Encoding
 *       label, body unchanged), {@code delay=MS};</li>
 *   <li>{@code size=N}: a body of N bytes of {@link #textAt} text, streamed in 64 KiB pieces with backpressure
 *       ({@code chunked} for chunked framing); otherwise a short body naming the path, the hit number and the values
 *       of the request headers named in {@code vary}.</li>
 * </ul>
 * With {@code etag} or {@code lm}, a matching {@code If-None-Match} / {@code If-Modified-Since} gets a 304. Every
 * request head (and body) is recorded; {@link #hits} counts them by path.
 */
public final class OriginBackend implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    // closed by hand: Netty 4.2's group shutdown can leave accepted sockets open (BackendGoneUnderPoolTest)
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<FullHttpRequest> requests = new ConcurrentLinkedDeque<>();

    private OriginBackend(int port) throws InterruptedException {
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    public static OriginBackend start() throws InterruptedException {
        return new OriginBackend(0);
    }

    /** Starts on a given port (to bring a stopped backend back). */
    public static OriginBackend startOn(int port) throws InterruptedException {
        return new OriginBackend(port);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Requests received for this path (without query). */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** Every request received, with its body, oldest first (the caller must not release them). */
    public ConcurrentLinkedDeque<FullHttpRequest> requests() {
        return requests;
    }

    /** The byte at position i of every {@code size=N} body: lines of readable, compressible text. */
    public static byte textAt(long i) {
        String line = "caravan streams this line of text, number ";
        long lineLength = line.length() + 8;
        long n = i / lineLength;
        int at = (int) (i % lineLength);
        if (at < line.length()) {
            return (byte) line.charAt(at);
        }
        String number = String.format("%07d\n", n % 10_000_000);
        return (byte) number.charAt(at - line.length());
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        requests.forEach(FullHttpRequest::release);
        requests.clear();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private long toSend;
        private long sent;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            requests.add(request.retainedDuplicate());
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            int hit = hits.computeIfAbsent(uri.path(), p -> new AtomicInteger()).incrementAndGet();
            Map<String, List<String>> q = uri.parameters();
            long delay = Long.parseLong(param(q, "delay", "0"));
            if (delay > 0) {
                ctx.executor().schedule(() -> answer(ctx, request.method(), request.headers(), uri, q, hit),
                        delay, TimeUnit.MILLISECONDS);
            } else {
                answer(ctx, request.method(), request.headers(), uri, q, hit);
            }
        }

        private void answer(ChannelHandlerContext ctx, HttpMethod method, HttpHeaders requestHeaders,
                            QueryStringDecoder uri, Map<String, List<String>> q, int hit) {
            if (!ctx.channel().isActive()) {
                return;
            }
            HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
            long now = System.currentTimeMillis();
            headers.set(HttpHeaderNames.DATE, DateFormatter.format(new Date(now)));
            headers.set(HttpHeaderNames.CONTENT_TYPE, param(q, "type", "text/plain"));
            set(headers, "Cache-Control", param(q, "cc", null));
            set(headers, "ETag", param(q, "etag", null));
            set(headers, "Vary", param(q, "vary", null));
            set(headers, "Set-Cookie", param(q, "cookie", null));
            set(headers, "Location", param(q, "location", null));
            set(headers, "Age", param(q, "age", null));
            set(headers, "Content-Encoding", param(q, "ce", null));
            String expires = param(q, "expires", null);
            if (expires != null) {
                headers.set(HttpHeaderNames.EXPIRES,
                        DateFormatter.format(new Date(now + Long.parseLong(expires) * 1000)));
            }
            String lm = param(q, "lm", null);
            long lastModified = lm == null ? -1 : (now / 1000 - Long.parseLong(lm)) * 1000;
            if (lastModified >= 0) {
                headers.set(HttpHeaderNames.LAST_MODIFIED, DateFormatter.format(new Date(lastModified)));
            }
            if (notModified(requestHeaders, headers.get(HttpHeaderNames.ETAG), lastModified)) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.NOT_MODIFIED);
                response.headers().set(headers);
                response.headers().remove(HttpHeaderNames.CONTENT_TYPE);
                ctx.writeAndFlush(response);
                return;
            }
            int status = Integer.parseInt(param(q, "status", "200"));
            String size = param(q, "size", null);
            if (size != null) {
                stream(ctx, method, headers, status, Long.parseLong(size), q.containsKey("chunked"));
                return;
            }
            StringBuilder body = new StringBuilder(uri.path()).append(" hit ").append(hit).append('\n');
            String vary = param(q, "vary", null);
            if (vary != null) {
                for (String name : vary.split(",")) {
                    body.append(name.trim()).append('=').append(requestHeaders.get(name.trim())).append('\n');
                }
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            boolean noBody = status == 204 || status == 304;
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status),
                    noBody || method.equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            response.headers().set(headers);
            if (!noBody) {
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            }
            ctx.writeAndFlush(response);
        }

        private boolean notModified(HttpHeaders request, String etag, long lastModified) {
            String inm = request.get(HttpHeaderNames.IF_NONE_MATCH);
            if (inm != null) {
                return etag != null && (inm.trim().equals("*") || inm.replace("W/", "").contains(etag.replace("W/", "")));
            }
            String ims = request.get(HttpHeaderNames.IF_MODIFIED_SINCE);
            if (ims != null && lastModified >= 0) {
                Date since = DateFormatter.parseHttpDate(ims);
                return since != null && lastModified <= since.getTime();
            }
            return false;
        }

        private void stream(ChannelHandlerContext ctx, HttpMethod method, HttpHeaders headers, int status, long length,
                            boolean chunked) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
            head.headers().set(headers);
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(head, true);
            } else {
                HttpUtil.setContentLength(head, length);
            }
            ctx.write(head);
            if (method.equals(HttpMethod.HEAD) || length == 0) {
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
                byte[] chunk = new byte[n];
                for (int k = 0; k < n; k++) {
                    chunk[k] = textAt(sent + k);
                }
                sent += n;
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
            }
            if (toSend > 0 && sent >= toSend) {
                toSend = 0;
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

    private static String param(Map<String, List<String>> q, String name, String fallback) {
        List<String> values = q.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static void set(HttpHeaders headers, String name, String value) {
        if (value != null) {
            headers.set(name, value);
        }
    }
}
