package dev.caravan.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where a cache keeps bodies of at least {@code minSize} bytes: each in a file of its own on a memory filesystem
 * (tmpfs), so that hits on plain HTTP/1.1 connections are sent with sendfile(2), without the kernel copying the body
 * out of the process (a 100 KiB hit spent about a quarter of its CPU in that copy). Each file is unlinked as soon as
 * it is written and mapped: nothing is left behind, whatever happens to the process; its descriptor is closed when
 * the body is no longer reachable (evicted, and no write of it in flight). When a file cannot be made (the filesystem
 * is full, say) the body is kept in direct memory as any smaller one.
 */
final class BodyFiles {

    private static final Logger LOG = LoggerFactory.getLogger(BodyFiles.class);
    /** Filesystems whose files live in memory: writing one is a copy, never a wait for a disk. */
    private static final Set<String> MEMORY_FILESYSTEMS = Set.of("tmpfs", "ramfs");

    private final Path dir;
    private final int minSize;
    private final Cleaner cleaner;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param dir     a directory on a memory filesystem; writes to it happen on the event loop
     * @param minSize the smallest body kept in a file (smaller ones gain less than a file costs)
     * @throws IllegalArgumentException when {@code dir} is not a writable directory on a memory filesystem
     */
    BodyFiles(Path dir, int minSize) {
        this.dir = requireMemoryDirectory(dir);
        this.minSize = minSize;
        this.cleaner = Cleaner.create();
    }

    boolean keepsIn(Path dir, int minSize) {
        return this.dir.equals(dir) && this.minSize == minSize;
    }

    static Path requireMemoryDirectory(Path dir) {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("caravan-cache sendfileDir " + dir + " is not a writable directory");
        }
        String type;
        try {
            type = Files.getFileStore(dir).type().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new IllegalArgumentException("caravan-cache sendfileDir " + dir + ": " + e.getMessage(), e);
        }
        if (!MEMORY_FILESYSTEMS.contains(type)) {
            // a disk would make the event loop wait on every store
            throw new IllegalArgumentException("caravan-cache sendfileDir " + dir + " is on a " + type
                    + " filesystem; it must be on a memory filesystem (tmpfs, e.g. /dev/shm)");
        }
        return dir;
    }

    /** The first {@code length} bytes of {@code source} as a stored body: in a file when large enough. */
    CachedBody store(byte[] source, int length) {
        if (length < minSize) {
            return CachedBody.copyOf(source, length);
        }
        Path path = null;
        FileChannel file = null;
        try {
            path = Files.createTempFile(dir, "caravan-body-", "");
            file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer from = ByteBuffer.wrap(source, 0, length);
            while (from.hasRemaining()) {
                file.write(from, from.position());
            }
            MappedByteBuffer mapped = file.map(FileChannel.MapMode.READ_ONLY, 0, length);
            Files.delete(path);
            CachedBody body = CachedBody.inFile(mapped, file);
            cleaner.register(body, new Close(file));
            return body;
        } catch (IOException | RuntimeException e) {
            discard(path, file);
            if (warned.compareAndSet(false, true)) {
                LOG.warn("Cannot keep a cached body in {} ({}); bodies that cannot go there stay in direct memory",
                        dir, e.toString());
            }
            return CachedBody.copyOf(source, length);
        }
    }

    private static void discard(Path path, FileChannel file) {
        try {
            if (file != null) {
                file.close();
            }
            if (path != null) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // the body goes to memory instead; a file left behind is the filesystem's to report
        }
    }

    /** Closes a body's file once the body is unreachable; refers to the file only, never to the body. */
    private record Close(FileChannel file) implements Runnable {
        @Override
        public void run() {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing is written through it; closing only gives the descriptor back
            }
        }
    }
}
