import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import dev.caravan.http.EventLoops;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The floor under Caravan for bench/run.sh (FLOOR=1): the least a Netty reverse proxy can do on the same stack, so
 * that Caravan's cost splits into what is its own and what the stack costs. One event loop on Caravan's transport and
buffers (its EventLoops: io_uring where available, else epoll; the pooled allocator), Netty's HTTP codecs
 * on both sides, request and response objects passed through as decoded (no header filtering, no routing, no
 * logging, no metrics, no limits), keep-alive backend connections pooled on the loop, flush at the end of each read.
 * It is not a proxy to deploy: it does no validation beyond the codecs', and answers nothing itself.
 *
 * Mode "tcp" relays bytes with no HTTP codec (one backend connection per client connection, so keep-alive cases
 * only): the floor of Netty's transport and the JVM alone.
 *
 * Usage: java -cp caravan.jar NettyFloor.java http|tcp PORT BACKEND_PORT
 */
public class NettyFloor {
    public static void main(String[] args) throws Exception {
        boolean http = args[0].equals("http");
        int port = Integer.parseInt(args[1]);
        int backendPort = Integer.parseInt(args[2]);
        ArrayDeque<Channel> idle = new ArrayDeque<>(); // idle backend connections, touched on the one event loop only
        EventLoops loops = new EventLoops(1);
        Bootstrap backend = new Bootstrap().group(loops.group())
                .channel(loops.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, loops.allocator())
                .remoteAddress("127.0.0.1", backendPort);
        Channel server = new ServerBootstrap().group(loops.group())
                .channel(loops.serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, loops.allocator())
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (http) {
                            ch.pipeline().addLast(new HttpServerCodec());
                        }
                        ch.pipeline().addLast(new Front(backend, http, idle));
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("floor (" + args[0] + ", " + loops.transport().label() + ") on " + port);
        server.closeFuture().sync();
    }

    /** The client side: takes a backend connection for the client connection's life and writes what it reads to it. */
    static final class Front extends ChannelInboundHandlerAdapter {
        private final Bootstrap bootstrap;
        private final boolean http;
        private final ArrayDeque<Channel> idle;
        private Channel backend;
        private boolean closeAfterResponse;

        Front(Bootstrap bootstrap, boolean http, ArrayDeque<Channel> idle) {
            this.bootstrap = bootstrap;
            this.http = http;
            this.idle = idle;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            Channel pooled = http ? idle.poll() : null;
            if (pooled != null && pooled.isActive()) {
                attach(client, pooled);
                return;
            }
            bootstrap.clone().handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (http) {
                        ch.pipeline().addLast(new HttpClientCodec());
                    }
                    ch.pipeline().addLast(new Back(idle));
                }
            }).connect().addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    attach(client, f.channel());
                } else {
                    client.close();
                }
            });
        }

        private void attach(Channel client, Channel backend) {
            this.backend = backend;
            Back back = backend.pipeline().get(Back.class);
            back.front = this;
            back.client = client;
            client.config().setAutoRead(true);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                HttpRequest request = (HttpRequest) msg;
                closeAfterResponse = !HttpUtil.isKeepAlive(request);
                request.headers().remove(HttpHeaderNames.CONNECTION); // the backend connection stays open
            }
            backend.write(msg, backend.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            backend.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            backend.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend == null) {
                return;
            }
            Back back = backend.pipeline().get(Back.class);
            if (http && backend.isActive() && back.responseDone) {
                back.front = null;
                back.client = null;
                backend.config().setAutoRead(true);
                idle.push(backend);
            } else {
                backend.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The backend side: writes what it reads to the client connection it serves at the moment. */
    static final class Back extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Channel> idle;
        Front front;
        Channel client;
        boolean responseDone = true;

        Back(ArrayDeque<Channel> idle) {
            this.idle = idle;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (client == null) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse) {
                responseDone = false;
                if (front.closeAfterResponse) {
                    ((HttpResponse) msg).headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            }
            if (msg instanceof LastHttpContent) {
                responseDone = true;
                if (front.closeAfterResponse) {
                    client.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
            }
            client.write(msg, client.voidPromise());
            if (!client.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (client != null) {
                client.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(ctx.channel());
            if (client != null) {
                client.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
