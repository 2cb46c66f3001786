package dev.caravan.server;

import dev.caravan.config.PropertiesFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The {@code lib/} folder of the standalone jar: extra Camel components (and their dependencies) that routes may use
 * without rebuilding Caravan. Its jars are read once, before camel-main creates the context, into a class loader whose
 * parent is Caravan's own (so Caravan's classes and the Camel it ships win over copies in the folder).
 *
 * <p>The folder is {@code caravan.lib} (default {@code lib}), read before Camel's properties exist: from
 * {@code --caravan.lib=...}, {@code -Dcaravan.lib=...}, the {@code CARAVAN_LIB} environment variable or the properties
 * file, in that order, like Camel's own precedence.
 */
public final class LibFolder {

    public static final String PROPERTY = "caravan.lib";
    private static final Logger LOG = LoggerFactory.getLogger(LibFolder.class);

    private final Path dir;
    private final boolean named;

    private LibFolder(Path dir, boolean named) {
        this.dir = dir;
        this.named = named;
    }

    /** The folder the settings name, or {@code lib} in the working directory. */
    public static LibFolder resolve(Map<String, String> commandLine, PropertiesFile propertiesFile) {
        return resolve(commandLine, System::getProperty, System::getenv, propertiesFile);
    }

    static LibFolder resolve(Map<String, String> commandLine, Function<String, String> systemProperties,
                             Function<String, String> environment, PropertiesFile propertiesFile) {
        Optional<String> value = Optional.ofNullable(commandLine.get(PROPERTY))
                .or(() -> Optional.ofNullable(systemProperties.apply(PROPERTY)))
                .or(() -> Optional.ofNullable(environment.apply("CARAVAN_LIB")))
                .or(() -> Optional.ofNullable(propertiesFile.load().getProperty(PROPERTY)))
                .map(String::trim).filter(v -> !v.isEmpty());
        return new LibFolder(Path.of(value.orElse("lib")), value.isPresent());
    }

    /** The jars of the folder, by name; none when the default folder does not exist. */
    public List<Path> jars() {
        if (!Files.isDirectory(dir)) {
            if (named) {
                throw new StartupException(PROPERTY + ": no folder " + dir.toAbsolutePath(), null);
            }
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + PROPERTY + " folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A loader of the folder's jars in front of {@code parent}, or {@code parent} itself when there are none. The
     * caller closes it when the process is done with it.
     */
    public ClassLoader loader(ClassLoader parent) {
        List<Path> jars = jars();
        if (jars.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("Bad jar path " + jar, e);
            }
        }
        LOG.info("Adding {} jar(s) from {}: {}", jars.size(), dir,
                String.join(", ", jars.stream().map(j -> j.getFileName().toString()).toList()));
        return new URLClassLoader("caravan-lib", urls.toArray(URL[]::new), parent);
    }

    public Path dir() {
        return dir;
    }
}
