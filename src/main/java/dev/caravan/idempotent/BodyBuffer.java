package dev.caravan.idempotent;

import dev.caravan.http.BodySink;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads a request body into memory up to a limit (the idempotency fingerprint needs all of it before the decision
 * to replay or forward). Past the limit it stops keeping bytes and reports once; whatever still arrives is released.
 */
final class BodyBuffer implements BodySink {

    private final int limit;
    private final Consumer<byte[]> complete;
    private final Runnable tooLarge;
    private final Consumer<Throwable> failed;
    private byte[] bytes = new byte[1024];
    private int size;
    private boolean over;

    BodyBuffer(int limit, Consumer<byte[]> complete, Runnable tooLarge, Consumer<Throwable> failed) {
        this.limit = limit;
        this.complete = complete;
        this.tooLarge = tooLarge;
        this.failed = failed;
    }

    @Override
    public void onContent(HttpContent content) {
        try {
            if (over) {
                return;
            }
            ByteBuf in = content.content();
            int n = in.readableBytes();
            if (size + n > limit) {
                over = true;
                bytes = null;
                tooLarge.run();
                return;
            }
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + n, bytes.length * 2)));
            }
            in.getBytes(in.readerIndex(), bytes, size, n);
            size += n;
            if (content instanceof LastHttpContent) {
                over = true;
                complete.accept(Arrays.copyOf(bytes, size));
                bytes = null;
            }
        } finally {
            content.release();
        }
    }

    @Override
    public void onBatchEnd() {
    }

    @Override
    public void onError(Throwable cause) {
        if (!over) {
            over = true;
            bytes = null;
            failed.accept(cause);
        }
    }
}
