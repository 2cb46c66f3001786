package dev.caravan.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A streaming content coder: takes a body piece by piece and returns the coded bytes produced so far. Not
 * thread-safe; it lives on one exchange's event loop. {@link #close} frees what it holds (native memory for brotli)
 * and must be called on every path.
 */
interface ContentEncoder {

    /** The coding's name for {@code Content-Encoding}. */
    String name();

    /** Codes {@code in} (not released here); returns what the coder produced (possibly empty). */
    ByteBuf encode(ByteBuf in, ByteBufAllocator alloc);

    /** Everything given so far, coded and decodable (a sync flush): sent at the end of each read burst. */
    ByteBuf flush(ByteBufAllocator alloc);

    /** The end of the coded stream (trailer included). */
    ByteBuf finish(ByteBufAllocator alloc);

    void close();
}
