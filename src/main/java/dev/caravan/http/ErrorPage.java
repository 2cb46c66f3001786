package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * The short page the gateway sends when it answers for itself (no route, bad request, backend down or slow): HTML,
 * or JSON when the client asks for it. It names the status only: no host, port, exception or stack trace.
 */
public final class ErrorPage {

    private ErrorPage() {
    }

    public static FullHttpResponse render(ByteBufAllocator alloc, HttpVersion version, int status, String accept) {
        HttpResponseStatus httpStatus = HttpResponseStatus.valueOf(status);
        String reason = httpStatus.reasonPhrase();
        String detail = detail(status);
        boolean json = accept != null && accept.contains("json") && !accept.contains("html");
        String body = json
                ? "{\"status\":" + status + ",\"error\":\"" + reason + "\",\"message\":\"" + detail + "\"}\n"
                : "<!DOCTYPE html>\n<html><head><title>" + status + " " + reason + "</title></head>"
                        + "<body><h1>" + status + " " + reason + "</h1><p>" + detail + "</p></body></html>\n";
        ByteBuf content = alloc.buffer(body.length());
        content.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(version, httpStatus, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, json ? "application/json" : "text/html; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "The request could not be understood.";
            case 404 -> "No route matches this request.";
            case 413 -> "The request is too large.";
            case 429 -> "Too many requests. Please try again later.";
            case 431 -> "The request headers are too large.";
            case 414 -> "The request target is too long.";
            case 502 -> "The upstream server is unavailable or sent an invalid response.";
            case 503 -> "The service is temporarily unavailable.";
            case 504 -> "The upstream server did not answer in time.";
            default -> "The gateway could not complete the request.";
        };
    }
}
