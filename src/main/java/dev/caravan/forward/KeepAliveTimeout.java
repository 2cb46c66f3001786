package dev.caravan.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.concurrent.TimeUnit;

/**
 * How long a backend connection may sit idle: the pool's setting, shortened when the backend announces a smaller
 * {@code Keep-Alive: timeout=N} (with a second of margin), so the pool never reuses a connection the backend is about
 * to close.
 */
final class KeepAliveTimeout {

    private KeepAliveTimeout() {
    }

    static long idleNanos(HttpHeaders responseHeaders, long poolIdleNanos) {
        String keepAlive = responseHeaders.get(HttpHeaderNames.KEEP_ALIVE);
        if (keepAlive == null) {
            return poolIdleNanos;
        }
        for (String param : keepAlive.split(",")) {
            String trimmed = param.trim();
            if (trimmed.regionMatches(true, 0, "timeout=", 0, 8)) {
                try {
                    long seconds = Long.parseLong(trimmed.substring(8).trim());
                    long announced = TimeUnit.SECONDS.toNanos(Math.max(0, seconds - 1));
                    return Math.min(poolIdleNanos, announced);
                } catch (NumberFormatException e) {
                    return poolIdleNanos;
                }
            }
        }
        return poolIdleNanos;
    }
}
