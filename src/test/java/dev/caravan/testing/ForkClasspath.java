package dev.caravan.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The class path for a gateway in a JVM of its own: Caravan's classes, the test classes (their logging configuration)
 * and Caravan's runtime dependencies, as Maven wrote them to {@code target/fork-classpath.txt}; not the test-only
 * jars, which would make each start slower than a real one. Outside Maven (no file): this JVM's class path.
 */
public final class ForkClasspath {

    private static final Path RUNTIME = Path.of("target/fork-classpath.txt");

    private ForkClasspath() {
    }

    public static String get() {
        if (!Files.isRegularFile(RUNTIME)) {
            return System.getProperty("java.class.path");
        }
        try {
            return String.join(File.pathSeparator, Path.of("target/test-classes").toAbsolutePath().toString(),
                    Path.of("target/classes").toAbsolutePath().toString(), Files.readString(RUNTIME).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
