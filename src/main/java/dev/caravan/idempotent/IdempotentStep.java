package dev.caravan.idempotent;

import dev.caravan.http.Answer;
import dev.caravan.http.GatewayException;
import dev.caravan.http.ProxyExchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Idempotent replays for requests with an {@code Idempotency-Key} (IETF httpapi draft), before
 * {@code caravan-forward}, following Camel's idempotent consumer: the first request with a key claims it and is
 * forwarded, and its reply is kept ({@link ReplyCapture}); a retry with the same key and the same fingerprint (method,
 * target, content type and body, SHA-256) gets the kept reply without reaching the backend; the same key with another
 * fingerprint gets 422; a duplicate while the first is in flight gets 409, or waits for it ({@code onInFlight=wait}).
 * Keys are per route and per {@code scope} (the client), so no client can replay another's reply.
 *
 * <p>The fingerprint needs the whole body before the decision, so the body of a request with a key is read into
 * memory first, up to {@code maxBodySize}; a larger one gets 413 (refused rather than forwarded without protection:
 * the client asked for exactly-once). The body then goes to the backend from memory, with a Content-Length.
 */
final class IdempotentStep extends DefaultAsyncProducer {

    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";

    private final IdempotencyStore store;
    private final Expression scope;
    private final List<String> methods;
    private final int maxBodySize;
    private final int maxResponseSize;
    private final boolean waitForInFlight;
    private final long waitTimeout;
    private final Answer answered = Answer.status(204);

    IdempotentStep(IdempotentEndpoint endpoint, IdempotencyStore store, Expression scope,
                   IdempotentConfiguration configuration) {
        super(endpoint);
        this.store = store;
        this.scope = scope;
        this.methods = configuration.methodList();
        this.maxBodySize = configuration.getMaxBodySize();
        this.maxResponseSize = configuration.getMaxResponseSize();
        this.waitForInFlight = configuration.getOnInFlight().equals("wait");
        this.waitTimeout = configuration.getWaitTimeout();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyExchange proxy = ProxyExchange.of(exchange);
        if (proxy == null) {
            exchange.setException(new IllegalStateException(
                    "caravan-idempotent works only in a route that starts from a caravan: endpoint"));
            callback.done(true);
            return true;
        }
        Object field = exchange.getMessage().getHeader(HEADER);
        if (field == null || !methods.contains(proxy.method().name())) {
            callback.done(true);
            return true;
        }
        String key = field instanceof String text ? keyOf(text) : null;
        if (key == null) {
            problem(exchange, 400, "Idempotency-Key must be one string of 1 to 255 visible characters");
            callback.done(true);
            return true;
        }
        if (proxy.eventLoop().inEventLoop()) {
            if (start(exchange, proxy, key, callback)) {
                callback.done(true);
                return true;
            }
            return false;
        }
        try {
            proxy.eventLoop().execute(() -> {
                if (start(exchange, proxy, key, callback)) {
                    callback.done(false);
                }
            });
        } catch (RejectedExecutionException e) {
            callback.done(true);
            return true;
        }
        return false;
    }

    /** The key as sent: an sf-string ("...") or a bare token; null when malformed. */
    static String keyOf(String field) {
        String key = field.trim();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            return null;
        }
        return key;
    }

    /** Reads the body if there is one, then decides. Returns true when done now, false when it continues later. */
    private boolean start(Exchange exchange, ProxyExchange proxy, String key, AsyncCallback callback) {
        String storeKey = exchange.getFromRouteId() + " " + scope.evaluate(exchange, String.class) + " " + key;
        if (!proxy.hasBody()) {
            return decide(exchange, proxy, storeKey, new byte[0], false, callback);
        }
        if (HttpUtil.getContentLength(proxy.head(), -1L) > maxBodySize) {
            problem(exchange, 413, "A request with an Idempotency-Key may carry at most " + maxBodySize + " bytes");
            return true;
        }
        Message message = exchange.getMessage();
        if (HttpUtil.is100ContinueExpected(proxy.head())) {
            // the body is read here, not by the backend: invite it now, and do not ask the backend to
            proxy.interim(new DefaultFullHttpResponse(proxy.version(), HttpResponseStatus.CONTINUE));
            message.removeHeader("Expect");
        }
        proxy.requestBody().subscribe(new BodyBuffer(maxBodySize, body -> {
            if (decide(exchange, proxy, storeKey, body, false, callback)) {
                callback.done(false);
            }
        }, () -> {
            problem(exchange, 413, "A request with an Idempotency-Key may carry at most " + maxBodySize + " bytes");
            callback.done(false);
        }, failure -> {
            exchange.setException(new GatewayException(400, "The request body broke off", failure));
            callback.done(false);
        }));
        return false;
    }

    private boolean decide(Exchange exchange, ProxyExchange proxy, String storeKey, byte[] body, boolean waited,
                           AsyncCallback callback) {
        String fingerprint = fingerprint(proxy, body);
        IdempotencyRecord mine = IdempotencyRecord.inFlight(fingerprint);
        IdempotencyRecord existing = store.claim(storeKey, mine);
        if (existing == null) {
            if (proxy.hasBody()) {
                exchange.getMessage().setBody(body);
            }
            ReplyCapture capture = new ReplyCapture(store, storeKey, mine, maxResponseSize);
            proxy.onResponseHead(capture);
            proxy.onFinished(p -> capture.finished());
            return true;
        }
        if (!existing.fingerprint().equals(fingerprint)) {
            problem(exchange, 422, "This Idempotency-Key was used for a different request");
            return true;
        }
        switch (existing.state()) {
            case DONE -> replay(exchange, proxy, existing.reply());
            case UNREPLAYABLE -> problem(exchange, 409, "The request with this Idempotency-Key was processed, but its"
                    + " response cannot be replayed");
            case IN_FLIGHT -> {
                if (waitForInFlight && !waited && existing.await(proxy.eventLoop(), waitTimeout, ended -> {
                    if (ended) {
                        decide(exchange, proxy, storeKey, body, true, callback);
                    } else {
                        inFlight(exchange);
                    }
                    callback.done(false);
                })) {
                    return false;
                }
                inFlight(exchange);
            }
        }
        return true;
    }

    private void inFlight(Exchange exchange) {
        Answer.status(409).header("Retry-After", 1).body("application/problem+json",
                problemJson(409, "A request with this Idempotency-Key is still being processed")).sendFrom(exchange);
    }

    private void replay(Exchange exchange, ProxyExchange proxy, StoredReply reply) {
        HttpResponse head = new DefaultHttpResponse(proxy.version(), new HttpResponseStatus(reply.status(),
                reply.reason()));
        head.headers().set(reply.headers());
        head.headers().set(REPLAYED, "true");
        proxy.respond(head, Unpooled.wrappedBuffer(reply.body()));
        exchange.setProperty(Answer.PROPERTY, answered);
        exchange.setRouteStop(true);
    }

    private static void problem(Exchange exchange, int status, String detail) {
        Answer.status(status).body("application/problem+json", problemJson(status, detail)).sendFrom(exchange);
    }

    private static String problemJson(int status, String detail) {
        return "{\"type\":\"about:blank\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
    }

    private static String fingerprint(ProxyExchange proxy, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String type = proxy.head().headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            sha.update((proxy.method().name() + ' ' + proxy.rawTarget() + '\n' + type + '\n')
                    .getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
