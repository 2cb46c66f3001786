package dev.caravan.compress;

import dev.caravan.http.BodySource;
import dev.caravan.http.FilteringBodySource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A response body coded on its way to the client: each piece is coded as it passes (and released), each read burst
 * ends with a flush so the client never waits on bytes the coder holds, and the last piece carries the coding's end.
 * Backpressure passes straight through (the base class), so a slow client slows the backend, not memory.
 */
final class CompressingBody extends FilteringBodySource {

    private final ContentEncoder encoder;
    private final ByteBufAllocator alloc;
    private boolean pending;
    private boolean ended;

    CompressingBody(BodySource body, ContentEncoder encoder, ByteBufAllocator alloc) {
        super(body);
        this.encoder = encoder;
        this.alloc = alloc;
    }

    @Override
    public void onContent(HttpContent content) {
        if (ended) {
            content.release();
            return;
        }
        ByteBuf coded;
        try {
            coded = encoder.encode(content.content(), alloc);
        } catch (RuntimeException e) {
            content.release();
            fail(e);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (last) {
            ended = true;
            ByteBuf end = encoder.finish(alloc);
            coded.writeBytes(end);
            end.release();
            super.onContent(new DefaultLastHttpContent(coded));
            return;
        }
        if (coded.isReadable()) {
            pending = true;
            super.onContent(new DefaultHttpContent(coded));
        } else {
            coded.release();
            pending = true; // the coder holds input: flush at the burst's end
        }
    }

    @Override
    public void onBatchEnd() {
        if (pending && !ended) {
            pending = false;
            ByteBuf flushed = encoder.flush(alloc);
            if (flushed.isReadable()) {
                super.onContent(new DefaultHttpContent(flushed));
            } else {
                flushed.release();
            }
        }
        super.onBatchEnd();
    }

    @Override
    public void onError(Throwable cause) {
        end();
        super.onError(cause);
    }

    @Override
    public void discard() {
        end();
        super.discard();
    }

    private void fail(RuntimeException cause) {
        end();
        super.discard();
        super.onError(cause);
    }

    private void end() {
        if (!ended) {
            ended = true;
            encoder.close();
        }
    }
}
