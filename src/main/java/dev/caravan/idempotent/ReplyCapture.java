package dev.caravan.idempotent;

import dev.caravan.http.BodySource;
import dev.caravan.http.FilteringBodySource;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.ResponseHeadFilter;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the reply of a first request with an idempotency key: the head as the steps after the idempotency step left
 * it, and the body copied while it streams to the client (up to a limit; past it the key is marked unreplayable).
 * A response the gateway made itself (the backend was never reached, or failed before answering) keeps nothing and
 * frees the key, so the client's retry is forwarded.
 */
final class ReplyCapture implements ResponseHeadFilter {

    private static final Set<String> NOT_KEPT = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "date");

    private final IdempotencyStore store;
    private final String key;
    private final IdempotencyRecord inFlight;
    private final int maxBytes;
    private boolean decided;

    ReplyCapture(IdempotencyStore store, String key, IdempotencyRecord inFlight, int maxBytes) {
        this.store = store;
        this.key = key;
        this.inFlight = inFlight;
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ProxyExchange exchange, HttpResponse head) {
        if (exchange.log().backendHeadNanos() == 0) {
            release();
            return;
        }
        if (HttpUtil.getContentLength(head, -1L) > maxBytes) {
            finish(IdempotencyRecord.unreplayable(inFlight.fingerprint()));
            return;
        }
        HttpHeaders kept = new DefaultHttpHeaders();
        for (Map.Entry<String, String> header : head.headers()) {
            if (!NOT_KEPT.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                kept.add(header.getKey(), header.getValue());
            }
        }
        int status = head.status().code();
        String reason = head.status().reasonPhrase();
        exchange.decorateResponseBody((h, body) -> new Copy(body, status, reason, kept));
    }

    /** The exchange ended: if nothing was kept by then, nothing will be. */
    void finished() {
        release();
    }

    private void release() {
        if (!decided) {
            decided = true;
            store.release(key, inFlight);
        }
    }

    private void finish(IdempotencyRecord record) {
        if (!decided) {
            decided = true;
            store.finish(key, inFlight, record);
        }
    }

    /** Copies the reply body as it streams; stores the reply at its end. */
    private final class Copy extends FilteringBodySource {
        private final int status;
        private final String reason;
        private final HttpHeaders headers;
        private byte[] copy = new byte[1024];
        private int size;

        Copy(BodySource body, int status, String reason, HttpHeaders headers) {
            super(body);
            this.status = status;
            this.reason = reason;
            this.headers = headers;
        }

        @Override
        public void onContent(HttpContent content) {
            if (!decided) {
                ByteBuf in = content.content();
                int n = in.readableBytes();
                if (size + n > maxBytes) {
                    copy = null;
                    finish(IdempotencyRecord.unreplayable(inFlight.fingerprint()));
                } else {
                    if (size + n > copy.length) {
                        copy = Arrays.copyOf(copy, Math.min(maxBytes, Math.max(size + n, copy.length * 2)));
                    }
                    in.getBytes(in.readerIndex(), copy, size, n);
                    size += n;
                    if (content instanceof LastHttpContent) {
                        finish(IdempotencyRecord.done(inFlight.fingerprint(),
                                new StoredReply(status, reason, headers, Arrays.copyOf(copy, size))));
                        copy = null;
                    }
                }
            }
            super.onContent(content);
        }

        @Override
        public void onError(Throwable cause) {
            // the backend did act on the request, but its reply broke off: a retry must not run it again
            finish(IdempotencyRecord.unreplayable(inFlight.fingerprint()));
            super.onError(cause);
        }

        @Override
        public void discard() {
            finish(IdempotencyRecord.unreplayable(inFlight.fingerprint()));
            super.discard();
        }
    }
}
