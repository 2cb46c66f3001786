package dev.caravan.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;

/**
 * One file an access step reads, loaded once and shared by every step naming its path; see {@link WatchedFiles}.
 * Requests read {@link #current()} (a volatile read, no I/O); {@link #check()} runs on the background thread only.
 */
final class WatchedFile<T> {

    private static final Logger LOG = LoggerFactory.getLogger(WatchedFile.class);
    /**
     * Files up to this size are compared by content on every check (a rewrite within the same second and size is
     * seen); larger ones (a GeoIP database) only when size, modification time or inode changed.
     */
    private static final long COMPARED_BY_CONTENT = 1L << 20;

    private final Path path;
    private final FileFormat<T> format;
    private volatile T current;
    private byte[] hash;
    private byte[] rejected;
    private Stat stat;
    private boolean reportedMissing;
    // guarded by the owning WatchedFiles
    int users;
    long intervalMillis;
    ScheduledFuture<?> poll;
    ScheduledFuture<?> expiry;

    private WatchedFile(Path path, FileFormat<T> format) {
        this.path = path;
        this.format = format;
    }

    /** Reads and parses the file now (on the caller's thread: validation or a route start, never an event loop). */
    static <T> WatchedFile<T> load(Path path, FileFormat<T> format) throws FileFormatException {
        WatchedFile<T> file = new WatchedFile<>(path, format);
        Stat stat;
        try {
            stat = Stat.of(path);
        } catch (NoSuchFileException e) {
            throw new FileFormatException(path, 0, "no such file");
        }
        byte[] content = read(path);
        file.current = format.parse(path, content);
        file.hash = sha256(content);
        file.stat = stat;
        return file;
    }

    static byte[] read(Path path) throws FileFormatException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new FileFormatException(path, 0, "no such file");
        } catch (IOException e) {
            throw new FileFormatException(path, 0, "cannot be read: " + e);
        }
    }

    Path path() {
        return path;
    }

    FileFormat<T> format() {
        return format;
    }

    /** The loaded copy: the last content that parsed. */
    T current() {
        return current;
    }

    /** Re-reads the file if it changed; a change that does not parse is logged once and the loaded copy stays. */
    void check() {
        try {
            Stat now = Stat.of(path);
            reportedMissing = false;
            if (now.equals(stat) && now.size > COMPARED_BY_CONTENT) {
                return;
            }
            byte[] content = Files.readAllBytes(path);
            byte[] contentHash = sha256(content);
            stat = now;
            if (Arrays.equals(contentHash, hash) || Arrays.equals(contentHash, rejected)) {
                return;
            }
            try {
                current = format.parse(path, content);
                hash = contentHash;
                rejected = null;
                LOG.info("Reloaded {} from {}", format.what(), path);
            } catch (FileFormatException e) {
                rejected = contentHash;
                LOG.warn("Rejected a change of {}; the previous {} stay in use", e.getMessage(), format.what());
            }
        } catch (NoSuchFileException e) {
            if (!reportedMissing) {
                reportedMissing = true;
                LOG.warn("{} is gone; the previous {} stay in use until it is back", path, format.what());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not check {} for changes: {}; the previous {} stay in use", path, e.toString(), format.what());
        }
    }

    static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    /** What a stat tells about a file: enough to notice a replaced or rewritten file without reading it. */
    private record Stat(long size, long modified, Object fileKey) {

        static Stat of(Path path) throws NoSuchFileException {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                return new Stat(attributes.size(), attributes.lastModifiedTime().toMillis(), attributes.fileKey());
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException e) {
                return new Stat(-1, -1, null); // unknown: compare by content
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stat s && s.size == size && s.modified == modified && Objects.equals(s.fileKey, fileKey);
        }

        @Override
        public int hashCode() {
            return Objects.hash(size, modified, fileKey);
        }
    }
}
