package dev.caravan.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip (RFC 1952) over the JDK's {@link Deflater}: a fixed header, raw deflate, and the CRC-32 and length trailer.
 * Each read burst ends with a {@code SYNC_FLUSH}, so what the client has is always decodable and nothing waits for
 * more input; the whole body is never held.
 */
final class GzipEncoder implements ContentEncoder {

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final int STEP = 8192;

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private boolean headerWritten;
    private boolean closed;

    GzipEncoder(int level) {
        this.deflater = new Deflater(level, true);
    }

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public ByteBuf encode(ByteBuf in, ByteBufAllocator alloc) {
        ByteBuf out = start(alloc, in.readableBytes() / 2 + 64);
        if (!in.isReadable()) {
            return out;
        }
        ByteBuffer input = in.nioBuffer();
        crc.update(input.duplicate());
        deflater.setInput(input);
        while (!deflater.needsInput()) {
            deflate(out, Deflater.NO_FLUSH);
        }
        return out;
    }

    @Override
    public ByteBuf flush(ByteBufAllocator alloc) {
        ByteBuf out = start(alloc, 64);
        while (deflate(out, Deflater.SYNC_FLUSH)) {
            // the output filled the space offered: there may be more
        }
        return out;
    }

    @Override
    public ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf out = start(alloc, 64);
        deflater.finish();
        while (!deflater.finished()) {
            deflate(out, Deflater.NO_FLUSH);
        }
        out.writeIntLE((int) crc.getValue());
        out.writeIntLE((int) deflater.getBytesRead());
        close();
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            deflater.end();
        }
    }

    private ByteBuf start(ByteBufAllocator alloc, int expected) {
        ByteBuf out = alloc.heapBuffer(Math.max(64, expected));
        if (!headerWritten) {
            headerWritten = true;
            out.writeBytes(HEADER);
        }
        return out;
    }

    /** One deflate call into {@code out}; true when it filled all the space it was given. */
    private boolean deflate(ByteBuf out, int flush) {
        out.ensureWritable(STEP);
        int space = out.writableBytes();
        ByteBuffer target = out.nioBuffer(out.writerIndex(), space);
        int n = deflater.deflate(target, flush);
        out.writerIndex(out.writerIndex() + n);
        return n == space;
    }
}
