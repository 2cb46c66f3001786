package dev.caravan.compress;

import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * brotli (RFC 7932) through brotli4j's JNI binding of Google's encoder, streaming: input goes through the encoder's
 * native input buffer, each read burst ends with a flush, and the native state is freed on {@link #close}.
 */
final class BrotliEncoder implements ContentEncoder {

    private static final int INPUT_BUFFER = 64 * 1024;
    private static final int WINDOW_BITS = 22;

    private final EncoderJNI.Wrapper encoder;
    private boolean closed;

    BrotliEncoder(int quality) {
        try {
            this.encoder = new EncoderJNI.Wrapper(INPUT_BUFFER, quality, WINDOW_BITS, Encoder.Mode.TEXT);
        } catch (IOException e) {
            throw new UncheckedIOException("brotli encoder could not start", e);
        }
    }

    @Override
    public String name() {
        return "br";
    }

    @Override
    public ByteBuf encode(ByteBuf in, ByteBufAllocator alloc) {
        ByteBuf out = alloc.heapBuffer(Math.max(64, in.readableBytes() / 2));
        ByteBuffer input = encoder.getInputBuffer();
        int index = in.readerIndex();
        int end = in.writerIndex();
        while (index < end) {
            int n = Math.min(input.capacity(), end - index);
            input.clear();
            in.getBytes(index, input.limit(n));
            index += n;
            push(EncoderJNI.Operation.PROCESS, n, out);
        }
        return out;
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        ByteBuf out = alloc.heapBuffer(64);
        push(EncoderJNI.Operation.FLUSH, 0, out);
        return out;
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf out = alloc.heapBuffer(64);
        push(EncoderJNI.Operation.FINISH, 0, out);
        close();
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            encoder.destroy();
        }
    }

    /** Gives the encoder {@code length} bytes of its input buffer with {@code op}, and collects all it produces. */
    private void push(EncoderJNI.Operation op, int length, ByteBuf out) {
        encoder.push(op, length);
        while (true) {
            if (!encoder.isSuccess()) {
                throw new IllegalStateException("brotli encoding failed");
            }
            if (encoder.hasMoreOutput()) {
                out.writeBytes(encoder.pull());
            } else if (encoder.hasRemainingInput()) {
                encoder.push(op, 0);
            } else {
                return;
            }
        }
    }
}
