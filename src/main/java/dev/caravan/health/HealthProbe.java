package dev.caravan.health;

import dev.caravan.balance.Backend;
import dev.caravan.http.EventLoops;
import dev.caravan.tls.BackendTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Checks one backend with an HTTP GET every interval, on an event loop (a check never holds a request thread), and
 * marks it down after {@code unhealthyThreshold} failures in a row and up after {@code healthyThreshold} successes.
 */
final class HealthProbe {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProbe.class);

    private final Backend backend;
    private final HealthSettings settings;
    private final EventLoops loops;
    private final BackendTls tls;
    private final EventLoop loop;
    private volatile boolean stopped;
    private int successes;
    private int failures;
    private ScheduledFuture<?> next;

    HealthProbe(Backend backend, HealthSettings settings, EventLoops loops, BackendTls tls) {
        this.backend = backend;
        this.settings = settings;
        this.loops = loops;
        this.tls = tls;
        this.loop = loops.group().next();
    }

    void start() {
        loop.execute(() -> schedule(ThreadLocalRandom.current().nextLong(Math.max(1, settings.intervalMillis()))));
    }

    void stop() {
        stopped = true;
        backend.forgetProbe(this);
        loop.execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
        });
    }

    private void schedule(long delayMillis) {
        if (!stopped) {
            next = loop.schedule(this::check, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private long jittered() {
        long interval = settings.intervalMillis();
        return interval + ThreadLocalRandom.current().nextLong(-interval / 10, interval / 10 + 1);
    }

    private void check() {
        if (stopped) {
            return;
        }
        Check check = new Check();
        new Bootstrap().group(loop).channel(loops.channelType())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.timeoutMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (backend.target().secure()) {
                            // same verification as requests get: a backend whose certificate is refused is down
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), backend.target().host(),
                                    backend.target().port(), settings.timeoutMillis()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), check);
                    }
                })
                .connect(InetSocketAddress.createUnresolved(backend.target().host(), backend.target().port()))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        check.finish(false, "connect failed: " + f.cause().getMessage());
                    }
                });
        check.deadline = loop.schedule(() -> check.finish(false, "no answer within " + settings.timeoutMillis() + " ms"),
                settings.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** One check's connection. */
    private final class Check extends ChannelInboundHandlerAdapter {
        private boolean done;
        private Channel channel;
        private ScheduledFuture<?> deadline;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    backend.target().basePath() + settings.path());
            request.headers().set(HttpHeaderNames.HOST, backend.target().authority())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "caravan-health-check");
            ctx.writeAndFlush(request);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    int status = response.status().code();
                    finish(status >= settings.minStatus() && status <= settings.maxStatus(), "status " + status);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(false, "connection closed without an answer");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(false, cause.toString());
        }

        void finish(boolean healthy, String detail) {
            if (done) {
                return;
            }
            done = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
            record(healthy, detail);
            schedule(jittered());
        }
    }

    private void record(boolean healthy, String detail) {
        if (healthy) {
            failures = 0;
            if (++successes >= settings.healthyThreshold() && !backend.probeVerdictOf(this)) {
                backend.probeVerdict(this, true);
                LOG.info("Backend {} is UP again (health check {}: {})", backend, settings.path(), detail);
            }
        } else {
            successes = 0;
            if (++failures >= settings.unhealthyThreshold() && backend.probeVerdictOf(this)) {
                backend.probeVerdict(this, false);
                LOG.warn("Backend {} is DOWN (health check {}: {})", backend, settings.path(), detail);
            }
        }
    }
}
