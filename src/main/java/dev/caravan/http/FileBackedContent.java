package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.DefaultLastHttpContent;

import java.nio.channels.FileChannel;

/**
 * The last (and only) content of a body whose bytes also lie whole in a file, from offset 0: a cached body kept on a
 * memory filesystem. A plain HTTP/1.1 connection writes the file instead of the bytes, so the kernel sends its pages
 * with sendfile(2) and copies nothing out of the process (as nginx serves its cache files); TLS, HTTP/2 and anything
 * that reads the content use the bytes. Anything that makes a new content (a copy, a duplicate, a compressor) makes
 * a plain one.
 */
public final class FileBackedContent extends DefaultLastHttpContent {

    private final FileChannel file;
    private final Object owner;
    private final int length;

    /**
     * @param bytes the file's bytes, all of them
     * @param file  an open file the content does not own: nothing here closes it
     * @param owner what keeps the file open while it is reachable; each region refers to it until it is written
     */
    public FileBackedContent(ByteBuf bytes, FileChannel file, Object owner) {
        super(bytes);
        this.file = file;
        this.owner = owner;
        this.length = bytes.readableBytes();
    }

    /** The whole file as a region for one write, or null if some of the bytes were read already. */
    public FileRegion region() {
        return content().readableBytes() == length ? new SharedFileRegion(file, length, owner) : null;
    }

    /** A region of a file other writes share: releasing it leaves the file open (its owner closes it). */
    private static final class SharedFileRegion extends DefaultFileRegion {

        @SuppressWarnings({"unused", "FieldCanBeLocal"}) // a strong reference, so the file stays open until written
        private final Object owner;

        SharedFileRegion(FileChannel file, long count, Object owner) {
            super(file, 0, count);
            this.owner = owner;
        }

        @Override
        protected void deallocate() {
            // not DefaultFileRegion's close: other responses send the same file, and its owner closes it
        }
    }
}
