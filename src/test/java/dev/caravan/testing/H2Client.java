package dev.caravan.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty's HTTP/2 client, h2c with prior knowledge: many streams on one connection, each readable or held (a held
 * stream reads nothing, so it grants the server no flow-control window: a client that stops reading one stream). Its
 * connection window is 16 MiB, as browsers make theirs.
 */
public final class H2Client implements AutoCloseable {

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel connection;

    public H2Client(int port) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings()).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        // like browsers: a large connection window, so one stream that is not read cannot block the others
        connection.eventLoop().submit(() -> {
            io.netty.handler.codec.http2.Http2FrameCodec codec =
                    connection.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class);
            codec.connection().local().flowController().incrementWindowSize(
                    codec.connection().connectionStream(), 16 << 20);
            return null;
        }).sync();
    }

    /** Sends a GET for {@code path}. */
    public Stream get(String path, boolean reading) throws Exception {
        return request(headers("GET", path), null, reading);
    }

    public static Http2Headers headers(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("h2.test");
    }

    /** Opens a stream and sends the request; {@code body} null for none. */
    public Stream request(Http2Headers headers, byte[] body, boolean reading) throws Exception {
        Stream stream = new Stream();
        Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection).handler(stream).open()
                .get(10, TimeUnit.SECONDS);
        stream.channel = channel;
        channel.config().setAutoRead(reading);
        channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, body == null));
        if (body != null) {
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        }
        return stream;
    }

    /** Opens a stream and sends only the head; with {@code endStream} false the body follows with {@link Stream#send}. */
    public Stream request(Http2Headers headers, byte[] body, boolean reading, boolean endStream) throws Exception {
        if (body != null || endStream) {
            return request(headers, body, reading);
        }
        Stream stream = new Stream();
        Http2StreamChannel channel = new Http2StreamChannelBootstrap(connection).handler(stream).open()
                .get(10, TimeUnit.SECONDS);
        stream.channel = channel;
        channel.config().setAutoRead(reading);
        channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).sync();
        return stream;
    }

    /** One stream's response as it arrives. */
    public static final class Stream extends ChannelInboundHandlerAdapter {
        public final CompletableFuture<Http2Headers> head = new CompletableFuture<>();
        public final CompletableFuture<Http2Headers> done = new CompletableFuture<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private volatile long bytes;
        private Http2StreamChannel channel;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    CharSequence status = frame.headers().status();
                    if (status != null && status.charAt(0) == '1') {
                        return; // interim
                    }
                    if (!head.isDone()) {
                        head.complete(frame.headers());
                        if (frame.isEndStream()) {
                            done.complete(new DefaultHttp2Headers());
                        }
                    } else {
                        done.complete(frame.headers()); // trailers
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    ByteBuf content = data.content();
                    bytes += content.readableBytes();
                    if (body.size() < 1 << 20) {
                        byte[] copy = new byte[content.readableBytes()];
                        content.getBytes(content.readerIndex(), copy);
                        body.writeBytes(copy);
                    }
                    if (data.isEndStream()) {
                        done.complete(new DefaultHttp2Headers());
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                done.completeExceptionally(new IllegalStateException("stream reset: " + reset.errorCode()));
                head.completeExceptionally(new IllegalStateException("stream reset: " + reset.errorCode()));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("stream closed before its end"));
            head.completeExceptionally(new IllegalStateException("stream closed before its head"));
        }

        /** Sends a DATA frame (not the last) on this stream. */
        public void send(byte[] bytes) throws InterruptedException {
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), false)).await(50);
        }

        /** False once the server's flow-control window for this stream is used up (frames wait in the client). */
        public boolean writable() {
            return channel.isWritable();
        }

        /** Starts reading (and so granting window) on a held stream. */
        public void read() {
            channel.eventLoop().execute(() -> {
                channel.config().setAutoRead(true);
                channel.read();
            });
        }

        public int status() throws Exception {
            return Integer.parseInt(head.get(10, TimeUnit.SECONDS).status().toString());
        }

        public String bodyText() throws Exception {
            done.get(10, TimeUnit.SECONDS);
            return body.toString(StandardCharsets.UTF_8);
        }

        /** Body bytes received so far. */
        public long bytes() {
            return bytes;
        }
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
