package dev.caravan.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;

/**
 * A stored body, kept outside the heap. The epoll transport writes from native memory only, so a body kept in a heap
 * array was copied into a direct buffer on every hit (100 KiB copied per request); this one is written to the socket
 * as it is. Each hit wraps a view of it, with no count to keep: like any direct {@link ByteBuffer}, its memory is
 * freed by the JDK once nothing refers to it (evicted, and no write of it still in flight).
 */
final class CachedBody {

    static final CachedBody EMPTY = new CachedBody(ByteBuffer.allocateDirect(0).asReadOnlyBuffer());

    private final ByteBuffer bytes; // read-only, direct, position 0

    private CachedBody(ByteBuffer bytes) {
        this.bytes = bytes;
    }

    /** A copy of the first {@code length} bytes of {@code source}. */
    static CachedBody copyOf(byte[] source, int length) {
        if (length == 0) {
            return EMPTY;
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(length);
        copy.put(source, 0, length).flip();
        return new CachedBody(copy.asReadOnlyBuffer());
    }

    static CachedBody copyOf(byte[] source) {
        return copyOf(source, source.length);
    }

    int length() {
        return bytes.capacity();
    }

    /** A new read-only buffer over the body, for one response; releasing it frees nothing. */
    ByteBuf buffer() {
        return length() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes.duplicate());
    }

    /** The bytes as a new array. */
    byte[] toArray() {
        byte[] copy = new byte[length()];
        bytes.duplicate().get(copy);
        return copy;
    }
}
