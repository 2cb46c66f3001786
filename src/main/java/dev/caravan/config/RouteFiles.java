package dev.caravan.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the YAML route files of one folder (not recursive) into name-ordered contents. */
final class RouteFiles {

    private RouteFiles() {
    }

    static Map<Path, String> read(Path dir) {
        Map<Path, String> contents = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return contents;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if ((name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".") && Files.isRegularFile(file)) {
                    contents.put(file, Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read route folder " + dir + ": " + e.getMessage(), e);
        }
        return contents;
    }
}
