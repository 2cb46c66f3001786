package dev.caravan.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A fresh directory under /dev/shm for tests of bodies kept in files, and what this process holds open in it. */
final class MemoryDirectory {

    private static final Path SHM = Path.of("/dev/shm");

    private MemoryDirectory() {
    }

    /** Skips the test where the machine has no writable tmpfs at /dev/shm. */
    static Path create(String prefix) throws IOException {
        assumeTrue(Files.isDirectory(SHM) && Files.isWritable(SHM) && Files.getFileStore(SHM).type().equals("tmpfs"),
                "no writable tmpfs at /dev/shm");
        return Files.createTempDirectory(SHM, "caravan-" + prefix + "-");
    }

    /** A fresh directory under the build's target folder; skips the test where that is a memory filesystem too. */
    static Path createOnDisk(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("target"), prefix);
        String type = Files.getFileStore(dir).type();
        if (type.equals("tmpfs") || type.equals("ramfs")) {
            Files.delete(dir);
            assumeTrue(false, "the build directory is on a memory filesystem here");
        }
        return dir;
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Descriptors of this process open on files that were in {@code dir} (unlinked ones included). */
    static long openFilesIn(Path dir) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(dir + "/");
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
