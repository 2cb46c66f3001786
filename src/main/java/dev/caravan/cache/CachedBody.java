package dev.caravan.cache;

import dev.caravan.http.FileBackedContent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A stored body, kept outside the heap. The epoll transport writes from native memory only, so a body kept in a heap
 * array was copied into a direct buffer on every hit (100 KiB copied per request); this one is written to the socket
 * as it is. Each hit wraps a view of it, with no count to keep: like any direct {@link ByteBuffer}, its memory is
 * freed by the JDK once nothing refers to it (evicted, and no write of it still in flight).
 *
 * <p>A large body may instead lie in a file on a memory filesystem ({@link BodyFiles}): its bytes are the file mapped
 * into memory, and a plain HTTP/1.1 hit sends the file itself ({@link FileBackedContent}), so the kernel does not copy
 * the body out of the process either. The file was unlinked when made; its descriptor is closed once the body is
 * unreachable.
 */
final class CachedBody {

    static final CachedBody EMPTY = new CachedBody(ByteBuffer.allocateDirect(0).asReadOnlyBuffer(), null);

    private final ByteBuffer bytes; // read-only, direct or mapped, position 0
    private final FileChannel file; // the file the bytes are mapped from, or null

    private CachedBody(ByteBuffer bytes, FileChannel file) {
        this.bytes = bytes;
        this.file = file;
    }

    /** A copy of the first {@code length} bytes of {@code source}. */
    static CachedBody copyOf(byte[] source, int length) {
        if (length == 0) {
            return EMPTY;
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(length);
        copy.put(source, 0, length).flip();
        return new CachedBody(copy.asReadOnlyBuffer(), null);
    }

    static CachedBody copyOf(byte[] source) {
        return copyOf(source, source.length);
    }

    /** A body that is the whole of {@code file}, mapped as {@code mapped}; whoever made it closes the file. */
    static CachedBody inFile(ByteBuffer mapped, FileChannel file) {
        return new CachedBody(mapped.asReadOnlyBuffer(), file);
    }

    int length() {
        return bytes.capacity();
    }

    boolean inFile() {
        return file != null;
    }

    /** A new read-only buffer over the body, for one response; releasing it frees nothing. */
    ByteBuf buffer() {
        return length() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes.duplicate());
    }

    /** The body as the one content of a response: one that can go as a file when the body lies in one. */
    LastHttpContent content() {
        return file == null ? new DefaultLastHttpContent(buffer()) : new FileBackedContent(buffer(), file, this);
    }

    /** The bytes as a new array. */
    byte[] toArray() {
        byte[] copy = new byte[length()];
        bytes.duplicate().get(copy);
        return copy;
    }
}
