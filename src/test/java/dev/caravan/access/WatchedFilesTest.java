package dev.caravan.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.caravan.access.AccessHttp.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One loaded copy per path, shared by the steps naming it, re-read on change, kept when a change is broken. */
class WatchedFilesTest {

    @TempDir
    Path temp;

    /** A file whose content is a number; parses are counted; "x" does not parse. */
    private static final class Numbers implements FileFormat<Integer> {
        final AtomicInteger parses = new AtomicInteger();

        @Override
        public String what() {
            return "numbers";
        }

        @Override
        public Integer parse(Path file, byte[] content) throws FileFormatException {
            parses.incrementAndGet();
            String text = new String(content, StandardCharsets.UTF_8).trim();
            if (!text.matches("\\d+")) {
                throw new FileFormatException(file, 1, "not a number");
            }
            return Integer.parseInt(text);
        }
    }

    @Test
    void stepsNamingTheSamePathShareOneLoadedCopy() throws Exception {
        Path file = Files.writeString(temp.resolve("n.txt"), "1");
        Numbers format = new Numbers();
        try (WatchedFiles files = new WatchedFiles("test-files")) {
            WatchedFile<Integer> first = files.acquire(file, format, 50);
            WatchedFile<Integer> second = files.acquire(temp.resolve("./n.txt"), format, 1000);
            assertSame(first, second, "the same path, however written");
            assertEquals(1, files.read(file, format), "endpoint checks read the loaded copy");
            assertEquals(1, format.parses.get(), "parsed once for all of them");

            Files.writeString(file, "x");
            Files.writeString(file, "2"); // the broken content may or may not be seen; the good one must be
            eventually("the change is read", () -> first.current() == 2);
            Files.writeString(file, "x");
            int parsesBefore = format.parses.get();
            eventually("the broken change is seen", () -> format.parses.get() > parsesBefore);
            assertEquals(2, first.current(), "a change that does not parse leaves the loaded copy");

            files.release(first);
            files.release(second);
            assertSame(first, files.acquire(file, format, 50), "kept a while for the next route generation");
        }
    }

    @Test
    void aMissingFileIsAClearError() {
        try (WatchedFiles files = new WatchedFiles("test-files")) {
            FileFormatException missing = assertThrows(FileFormatException.class,
                    () -> files.read(temp.resolve("none.txt"), new Numbers()));
            assertEquals(temp.resolve("none.txt") + ": no such file", missing.getMessage());
        }
    }
}
