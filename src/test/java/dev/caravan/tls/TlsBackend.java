package dev.caravan.tls;

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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A small HTTPS backend on 127.0.0.1 for tests of {@code https://} targets (TestBackend speaks plain HTTP only). It
 * serves one certificate made at test time, records the SNI name and client certificate of each connection, and
 * answers every request with {@code <name> <target>}, {@code sni <name>}, {@code client <subject>} lines.
 */
final class TlsBackend implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    // closed by hand: Netty 4.2's group shutdown can leave accepted sockets open (BackendGoneUnderPoolTest)
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Request targets received, in order (handshakes that fail add nothing). */
    final Queue<String> targets = new ConcurrentLinkedQueue<>();
    final Queue<String> sniNames = new ConcurrentLinkedQueue<>();

    /** {@code clientCa}: when not null, a client certificate signed by it is required. */
    TlsBackend(String name, TestCertificates.Issued certificate, X509Certificate clientCa) throws Exception {
        this.name = name;
        SslContextBuilder builder = SslContextBuilder.forServer(certificate.key(), certificate.certificate());
        if (clientCa != null) {
            builder.trustManager(clientCa).clientAuth(ClientAuth.REQUIRE);
        }
        SslContext context = builder.build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new SniHandler(hostname -> {
                            sniNames.add(String.valueOf(hostname));
                            return context;
                        }));
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Answer());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            targets.add(request.uri());
            StringBuilder body = new StringBuilder(name).append(' ').append(request.uri()).append('\n');
            var peer = ctx.pipeline().get(SslHandler.class).engine().getSession();
            try {
                body.append("client ").append(((X509Certificate) peer.getPeerCertificates()[0])
                        .getSubjectX500Principal().getName()).append('\n');
            } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                body.append("client none\n");
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a refused handshake lands here; the gateway's side is what the tests check
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
