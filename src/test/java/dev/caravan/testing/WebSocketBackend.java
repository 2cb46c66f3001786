package dev.caravan.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket echo server for tests (Netty's server handshake and frame codec): text and binary messages come back
 * as sent; {@code whoami} answers its name; {@code close-me} makes it close with 4002 "server bye"; a close from the
 * client is recorded and answered with the same code and reason; pings get pongs. Other paths than its WebSocket one
 * get Netty's refusal of a handshake (400).
 */
public final class WebSocketBackend implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    // closed by hand: Netty 4.2's group shutdown can leave accepted sockets open (BackendGoneUnderPoolTest)
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final String name;
    /** Close frames received from clients, as "code reason". */
    public final ConcurrentLinkedQueue<String> closesReceived = new ConcurrentLinkedQueue<>();
    /** Handshake requests' headers, as received. */
    public final ConcurrentLinkedQueue<io.netty.handler.codec.http.HttpHeaders> handshakes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger open = new AtomicInteger();

    public WebSocketBackend(String name) throws InterruptedException {
        this.name = name;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/").checkStartsWith(true).subprotocols("chat.v1")
                                        .handleCloseFrames(false)
                                        .decoderConfig(WebSocketDecoderConfig.newBuilder()
                                                .maxFramePayloadLength(16 << 20).build())
                                        .build()),
                                new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public String url() {
        return "http://127.0.0.1:" + ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** WebSocket connections open now. */
    public int open() {
        return open.get();
    }

    private final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete done) {
                handshakes.add(done.requestHeaders());
                open.incrementAndGet();
                ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                switch (text.text()) {
                    case "whoami" -> ctx.writeAndFlush(new TextWebSocketFrame(name));
                    case "close-me" -> ctx.writeAndFlush(new CloseWebSocketFrame(4002, "server bye"));
                    default -> ctx.writeAndFlush(text.retain());
                }
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                ctx.writeAndFlush(binary.retain());
            } else if (frame instanceof CloseWebSocketFrame close) {
                closesReceived.add(close.statusCode() + " " + close.reasonText());
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), close.reasonText()))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
