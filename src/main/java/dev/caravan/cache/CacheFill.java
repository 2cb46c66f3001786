package dev.caravan.cache;

import dev.caravan.http.BodySource;
import dev.caravan.http.FilteringBodySource;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.Arrays;

/**
 * Copies a response body into the cache while it streams to the client: every chunk is copied and passed on at once
 * (backpressure is the client's, as without the cache), and the copy is stored when the last chunk has gone by. Past
 * the per-object maximum the copy is dropped and the body streams on uncached.
 */
final class CacheFill extends FilteringBodySource {

    private static final int INITIAL = 8192;

    private final CacheRequest owner;
    private final HttpResponse head;
    private final long responseMillis;
    private final int maxBytes;
    private byte[] copy;
    private int size;
    private boolean over;

    /** @param expectedLength the body's Content-Length, or -1 */
    CacheFill(BodySource body, CacheRequest owner, HttpResponse head, long responseMillis, int maxBytes,
              int expectedLength) {
        super(body);
        this.owner = owner;
        this.head = head;
        this.responseMillis = responseMillis;
        this.maxBytes = maxBytes;
        this.copy = new byte[expectedLength >= 0 ? expectedLength : Math.min(INITIAL, maxBytes)];
    }

    @Override
    public void onContent(HttpContent content) {
        if (!over) {
            ByteBuf bytes = content.content();
            int n = bytes.readableBytes();
            if (size + n > maxBytes) {
                giveUp();
            } else {
                if (size + n > copy.length) {
                    copy = Arrays.copyOf(copy, Math.min(maxBytes, Math.max(size + n, copy.length * 2)));
                }
                bytes.getBytes(bytes.readerIndex(), copy, size, n);
                size += n;
                if (content instanceof LastHttpContent) {
                    over = true;
                    owner.completed(head, copy, size, responseMillis);
                    copy = null;
                }
            }
        }
        super.onContent(content);
    }

    @Override
    public void onError(Throwable cause) {
        giveUp();
        super.onError(cause);
    }

    @Override
    public void discard() {
        giveUp();
        super.discard();
    }

    private void giveUp() {
        if (!over) {
            over = true;
            copy = null;
            owner.abandoned();
        }
    }
}
