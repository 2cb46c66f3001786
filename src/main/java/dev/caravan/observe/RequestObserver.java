package dev.caravan.observe;

import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ResponseHeadFilter;
import dev.caravan.listen.Listener;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The listener-wide observability of one listener: when an exchange starts it gets its request id and trace context
 * (written into the request head, so the route and the backend see them), an echo of the id on every response, and
 * its ids in the log MDC; when it finishes, its request log goes to the metrics and the access log.
 */
final class RequestObserver {

    /** The access log's own logger, so logging configuration can send it elsewhere (a file, with rotation). */
    static final String ACCESS_LOGGER = "caravan.access";
    private static final ResponseHeadFilter ECHO_REQUEST_ID = (exchange, head) -> {
        ObservedRequest observed = exchange.attachment(ObservedRequest.class);
        if (observed != null) {
            head.headers().set(RequestIds.HEADER, observed.requestIdValue());
        }
    };

    private final Logger accessLog = LoggerFactory.getLogger(ACCESS_LOGGER);
    private final RequestIds ids;
    private final boolean traceContext;
    private final AccessLogChoice listenerChoice;
    private final GatewayMetrics metrics;
    private final AccessLogLine lines = new AccessLogLine();

    /** @param metrics null when metrics are off */
    RequestObserver(ObserveSettings settings, AccessLogChoice listenerChoice, GatewayMetrics metrics) {
        this.ids = new RequestIds(settings.keepRequestId());
        this.traceContext = settings.traceContext();
        this.listenerChoice = listenerChoice;
        this.metrics = metrics;
    }

    void attach(Listener listener) {
        listener.onConnection(this::connectionStarted);
        listener.onExchangeStarted(this::started);
        listener.onExchangeFinished(this::finished);
        if (metrics != null) {
            metrics.listener(listener);
        }
    }

    private void connectionStarted(Channel channel) {
        channel.pipeline().addFirst("observe-mdc", new RequestMdcHandler());
    }

    /** Most requests carry neither header: no list is made for an absent one. */
    private static List<String> valuesOf(HttpHeaders headers, CharSequence name) {
        return headers.contains(name) ? headers.getAll(name) : List.of();
    }

    void started(ProxyExchange exchange) {
        HttpHeaders headers = exchange.head().headers();
        List<String> sent = valuesOf(headers, RequestIds.HEADER);
        CharSequence id = ids.idFor(sent);
        if (sent.size() != 1 || id != sent.get(0)) {
            headers.set(RequestIds.HEADER, id); // (a kept id is there already, alone)
        }
        TraceContext trace = null;
        if (traceContext) {
            trace = TraceContext.continueOrStart(valuesOf(headers, TraceContext.TRACEPARENT));
            headers.set(TraceContext.TRACEPARENT, trace.traceparent());
            if (!trace.continued()) {
                headers.remove(TraceContext.TRACESTATE);
            }
        }
        Channel channel = exchange.channel();
        // an HTTP/2 stream: TLS facts are its connection's; the connection's MDC handler is not one request's
        boolean stream = channel.parent() != null && !(channel.parent() instanceof io.netty.channel.ServerChannel);
        RequestMdcHandler mdc = stream ? null : channel.pipeline().get(RequestMdcHandler.class);
        ObservedRequest observed = new ObservedRequest(id, trace,
                exchange.client().secure() ? tlsFacts(stream ? channel.parent() : channel) : null);
        observed.mdc = mdc;
        exchange.attach(ObservedRequest.class, observed);
        exchange.workContext(() -> RequestMdc.enter(observed));
        exchange.onResponseHead(ECHO_REQUEST_ID);
        if (mdc != null) {
            mdc.started(exchange, observed);
        }
        if (metrics != null) {
            metrics.started(exchange.client().listener());
        }
    }

    void finished(ProxyExchange exchange) {
        ObservedRequest observed = exchange.attachment(ObservedRequest.class);
        if (observed != null && observed.mdc != null) {
            observed.mdc.finished(exchange);
        }
        if (metrics != null) {
            metrics.finished(exchange);
        }
        AccessLogChoice choice = observed != null && observed.routeChoice() != null
                ? observed.routeChoice().over(listenerChoice) : listenerChoice;
        if (!choice.enabled() || !accessLog.isInfoEnabled()) {
            return;
        }
        int status = AccessLogLine.statusOf(exchange.log());
        boolean error = status >= 400 || status == 0
                || exchange.log().outcome() != dev.caravan.http.RequestLog.Outcome.COMPLETED;
        if (!choice.logs(error, ThreadLocalRandom.current().nextDouble())) {
            return;
        }
        if (observed != null) {
            RequestMdc.put(observed);
        }
        try {
            accessLog.info(lines.format(choice.format(), exchange, observed));
        } finally {
            RequestMdc.clear();
        }
    }

    /** Each TLS connection's facts, read with its first request and kept for the rest (and for every HTTP/2 stream). */
    private static final AttributeKey<ObservedRequest.TlsFacts> TLS_FACTS =
            AttributeKey.valueOf(RequestObserver.class, "tls");

    /** Protocol and SNI name of the connection's TLS session (read once per connection). */
    private static ObservedRequest.TlsFacts tlsFacts(Channel channel) {
        Attribute<ObservedRequest.TlsFacts> known = channel.attr(TLS_FACTS);
        if (known.get() != null) {
            return known.get();
        }
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        SSLSession session = ssl.engine().getSession();
        String sni = null;
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    sni = host.getAsciiName();
                }
            }
        }
        ObservedRequest.TlsFacts facts = new ObservedRequest.TlsFacts(session.getProtocol(), sni);
        known.set(facts);
        return facts;
    }
}
