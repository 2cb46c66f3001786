package dev.caravan.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One admin connection: reads a request, computes the answer on the admin thread and writes it back.
 *
 * <pre>
 * /metrics             Prometheus text (OpenMetrics when Accept asks for application/openmetrics-text)
 * /health/live         200 while the process runs
 * /health/ready        200, or 503 with the reasons (routes not loaded, a pool without a usable backend, shutting down)
 * /admin/routes        the live routes (JSON)
 * /admin/backends      every backend's state (JSON)
 * /admin/certificates  the served certificates (JSON)
 * / (or /status)       the HTML status page, refreshing itself
 * </pre>
 * With a users file every path needs Basic credentials except the two health checks (probes and {@code HEALTHCHECK}
 * carry none); the address allow-list applies to all.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";

    private final AdminData data;
    private final AdminAccess access;
    private final ExecutorService worker;
    private final StatusPage page;

    AdminHandler(AdminData data, AdminAccess access, ExecutorService worker, int refreshSeconds) {
        this.data = data;
        this.access = access;
        this.worker = worker;
        this.page = new StatusPage(refreshSeconds);
    }

    /** What an answer needs of the request (the request itself is released when this handler returns). */
    private record Asked(HttpMethod method, String path, String accept, String authorization, boolean keepAlive) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        Asked asked = new Asked(request.method(), q < 0 ? uri : uri.substring(0, q),
                request.headers().get(HttpHeaderNames.ACCEPT), request.headers().get(HttpHeaderNames.AUTHORIZATION),
                HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess());
        if (!request.decoderResult().isSuccess()) {
            write(ctx, asked, text(HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "Bad request\n"));
            return;
        }
        try {
            worker.execute(() -> {
                FullHttpResponse response;
                try {
                    response = answer(asked);
                } catch (RuntimeException e) {
                    LOG.warn("Admin request {} failed: {}", asked.path(), e.toString());
                    response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                            "Internal error\n");
                }
                write(ctx, asked, response);
            });
        } catch (RejectedExecutionException e) {
            write(ctx, asked, text(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                    "Shutting down\n"));
        }
    }

    private FullHttpResponse answer(Asked asked) {
        if (!asked.method().equals(HttpMethod.GET) && !asked.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "Only GET and HEAD\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return response;
        }
        String path = asked.path();
        boolean health = path.equals("/health/live") || path.equals("/health/ready");
        if (!health && !access.authorized(asked.authorization())) {
            FullHttpResponse response = text(HttpResponseStatus.UNAUTHORIZED, "text/plain; charset=utf-8",
                    "Credentials needed\n");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"Caravan admin\", charset=\"UTF-8\"");
            return response;
        }
        return switch (path) {
            case "/metrics" -> metrics(asked.accept());
            case "/health/live" -> text(HttpResponseStatus.OK, JSON, "{\"status\":\"UP\"}");
            case "/health/ready" -> ready();
            case "/admin/routes" -> text(HttpResponseStatus.OK, JSON, data.routesJson());
            case "/admin/backends" -> text(HttpResponseStatus.OK, JSON, data.backendsJson());
            case "/admin/certificates" -> text(HttpResponseStatus.OK, JSON, data.certificatesJson());
            case "/", "/status" -> text(HttpResponseStatus.OK, "text/html; charset=utf-8", page.render(data.status()));
            default -> text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "Not found\n");
        };
    }

    private FullHttpResponse metrics(String accept) {
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String body = data.metrics(openMetrics);
        if (body == null) {
            return text(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    "Metrics are off (caravan.metrics.enabled=false)\n");
        }
        return text(HttpResponseStatus.OK, openMetrics ? OPENMETRICS : PROMETHEUS_TEXT, body);
    }

    private FullHttpResponse ready() {
        AdminData.Readiness readiness = data.readiness();
        StringBuilder json = new StringBuilder("{\"status\":\"").append(readiness.ready() ? "UP" : "DOWN")
                .append("\",\"generation\":").append(readiness.generation()).append(",\"reasons\":[");
        for (int i = 0; i < readiness.reasons().size(); i++) {
            json.append(i == 0 ? "\"" : ",\"").append(StatusPage.jsonEscape(readiness.reasons().get(i))).append('"');
        }
        json.append("]}");
        return text(readiness.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
                json.toString());
    }

    private static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static void write(ChannelHandlerContext ctx, Asked asked, FullHttpResponse response) {
        if (asked.method().equals(HttpMethod.HEAD)) {
            int length = response.content().readableBytes();
            response.release();
            FullHttpResponse head = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status());
            head.headers().set(response.headers()).setInt(HttpHeaderNames.CONTENT_LENGTH, length);
            response = head;
        }
        if (asked.keepAlive()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
