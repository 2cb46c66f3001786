package dev.caravan.harden;

import dev.caravan.http.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaders;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.util.Map;

/**
 * Browser security headers on every response of a route, in one line: {@code caravan-security-headers:} adds
 * {@code X-Content-Type-Options}, {@code X-Frame-Options}, {@code Referrer-Policy}, {@code Content-Security-Policy}
 * and {@code Permissions-Policy} where the response has none (a backend's own value wins), error pages included.
 * Options: {@link SecurityHeadersConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-security-headers", title = "Caravan Security Headers",
        syntax = "caravan-security-headers:where", producerOnly = true, category = Category.HTTP)
public final class SecurityHeadersEndpoint extends DefaultEndpoint {

    @UriParam
    private final SecurityHeadersConfiguration configuration;

    SecurityHeadersEndpoint(String uri, SecurityHeadersComponent component,
                            SecurityHeadersConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public SecurityHeadersConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        Map.Entry<String, String>[] headers = configuration.headers().entrySet().toArray(new Map.Entry[0]);
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                ProxyExchange.require(exchange, "caravan-security-headers").onResponseHead((request, head) -> {
                    HttpHeaders present = head.headers();
                    for (Map.Entry<String, String> header : headers) {
                        if (!present.contains(header.getKey())) {
                            present.set(header.getKey(), header.getValue());
                        }
                    }
                });
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-security-headers is a step: use it in to:");
    }
}
