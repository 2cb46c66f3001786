package dev.caravan.tls;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ResponseHeadFilter;
import io.netty.handler.codec.http.HttpResponse;

/**
 * HSTS on a TLS listener: every response, error pages included, carries the configured
 * {@code Strict-Transport-Security} value (ours replaces a backend's). Never on plain HTTP, where browsers ignore it
 * (RFC 6797 §8.1).
 */
public final class StrictTransportSecurity implements ResponseHeadFilter {

    private static final String HEADER = "Strict-Transport-Security";

    private final String value;

    public StrictTransportSecurity(String value) {
        this.value = value;
    }

    @Override
    public void filter(ProxyExchange exchange, HttpResponse head) {
        head.headers().set(HEADER, value);
    }
}
