package dev.caravan.harden;

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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that gives itself away, as many do: {@code Server}, {@code X-Powered-By}, ASP.NET and Rails version
 * headers, a {@code Via} and an {@code X-Backend-Server} naming internal hosts, and error responses whose reason
 * phrase and body carry an exception, a stack trace and an internal address. Paths: {@code /crash} (500),
 * {@code /missing} (404), {@code /framed} (200 with its own frame and content-security policies), anything else 200.
 */
final class LeakyBackend implements AutoCloseable {

    static final String INTERNAL_HOST = "db-7.corp.internal";
    static final String INTERNAL_IP = "10.0.3.7";
    static final String STACK_TRACE = "java.lang.NullPointerException: order was null\n"
            + "\tat com.acme.shop.OrderDao.find(OrderDao.java:42)\n"
            + "\tat com.acme.shop.OrderController.get(OrderController.java:17)\n"
            + "connection: jdbc:postgresql://" + INTERNAL_IP + ":5432/orders (" + INTERNAL_HOST + ")\n";

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    // closed by hand: Netty 4.2's group shutdown can leave accepted sockets open (BackendGoneUnderPoolTest)
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger requests = new AtomicInteger();

    LeakyBackend() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "http://127.0.0.1:" + ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            requests.incrementAndGet();
            String path = request.uri();
            FullHttpResponse response;
            if (path.startsWith("/crash")) {
                response = response(new HttpResponseStatus(500, "NullPointerException in OrderDao at " + INTERNAL_HOST),
                        "text/plain", STACK_TRACE);
                response.headers().set("ETag", "\"build-2024.3.1-" + INTERNAL_HOST + "\"");
            } else if (path.startsWith("/missing")) {
                response = response(HttpResponseStatus.NOT_FOUND, "text/html",
                        "<h1>Apache Tomcat/9.0.31 - Error report</h1>");
            } else {
                response = response(HttpResponseStatus.OK, "text/html", "<p>hello</p>");
                if (path.startsWith("/framed")) {
                    response.headers().set("X-Frame-Options", "SAMEORIGIN")
                            .set("Content-Security-Policy", "default-src 'self'");
                }
            }
            response.headers()
                    .set("Server", "Apache/2.4.41 (Ubuntu)")
                    .set("X-Powered-By", "PHP/7.4.3")
                    .set("X-AspNet-Version", "4.0.30319")
                    .set("X-AspNetMvc-Version", "5.2")
                    .set("X-Runtime", "0.021334")
                    .set("X-Backend-Server", INTERNAL_HOST)
                    .set("Via", "1.1 squid." + INTERNAL_HOST)
                    .set("X-Request-Cost", "3");
            if (request.method().equals(HttpMethod.HEAD)) {
                response.content().clear();
            }
            ctx.writeAndFlush(response);
        }

        private FullHttpResponse response(HttpResponseStatus status, String type, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(bytes));
            response.headers().set("Content-Type", type).setInt("Content-Length", bytes.length);
            return response;
        }
    }
}
