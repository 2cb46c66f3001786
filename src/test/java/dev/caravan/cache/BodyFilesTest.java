package dev.caravan.cache;

import dev.caravan.http.FileBackedContent;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large stored bodies kept in files on a memory filesystem, for sendfile: the file is gone from its directory at once,
 * its bytes are the body's, its descriptor closes once the body is unreachable, and a body that cannot go to a file
 * stays in memory.
 */
class BodyFilesTest {

    private Path dir;

    @BeforeEach
    void makeDirectory() throws IOException {
        dir = MemoryDirectory.create("body-files");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        MemoryDirectory.delete(dir);
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aLargeBodyLiesInAFileThatIsAlreadyGoneFromItsDirectory() throws Exception {
        byte[] source = randomBytes(100_000);
        CachedBody body = new BodyFiles(dir, 65536).store(source, 90_000);
        assertTrue(body.inFile());
        assertEquals(90_000, body.length());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "unlinked when made: nothing to clean up after a crash");
        }
        byte[] expected = java.util.Arrays.copyOf(source, 90_000);
        assertArrayEquals(expected, body.toArray());
        assertEquals(1, MemoryDirectory.openFilesIn(dir));

        LastHttpContent content = body.content();
        FileBackedContent file = assertInstanceOf(FileBackedContent.class, content);
        FileRegion region = file.region();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        while (region.transferred() < region.count()) {
            region.transferTo(Channels.newChannel(sent), region.transferred());
        }
        assertArrayEquals(expected, sent.toByteArray(), "the file holds the body's bytes");
        region.release();
        content.release();
        assertEquals(1, MemoryDirectory.openFilesIn(dir), "a written region leaves the file open for the next hit");
    }

    @Test
    void aSmallBodyStaysInDirectMemory() {
        CachedBody body = new BodyFiles(dir, 65536).store(randomBytes(1000), 1000);
        assertFalse(body.inFile());
        assertFalse(body.content() instanceof FileBackedContent);
        assertEquals(0, MemoryDirectory.openFilesIn(dir));
    }

    @Test
    void theFileIsClosedOnceTheBodyIsUnreachable() throws Exception {
        BodyFiles files = new BodyFiles(dir, 1);
        for (int i = 0; i < 3; i++) {
            files.store(randomBytes(10_000), 10_000); // dropped at once, as an evicted entry is
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (MemoryDirectory.openFilesIn(dir) > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, MemoryDirectory.openFilesIn(dir));
    }

    @Test
    void aBodyThatCannotGoToAFileStaysInMemoryAndLosesNothing() throws Exception {
        BodyFiles files = new BodyFiles(dir, 1);
        Files.delete(dir); // the filesystem refuses from now on (as a full one would)
        byte[] source = randomBytes(100_000);
        CachedBody body = files.store(source, 100_000);
        assertFalse(body.inFile());
        assertArrayEquals(source, body.toArray());
        Files.createDirectory(dir);
    }

    @Test
    void aDirectoryOnADiskIsRefusedWithTheReason() throws Exception {
        Path disk = MemoryDirectory.createOnDisk("not-tmpfs");
        try {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new BodyFiles(disk, 65536));
            assertTrue(refused.getMessage().contains("must be on a memory filesystem"), refused.getMessage());
        } finally {
            Files.delete(disk);
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new BodyFiles(dir.resolve("absent"), 65536));
        assertTrue(missing.getMessage().contains("is not a writable directory"), missing.getMessage());
    }
}
