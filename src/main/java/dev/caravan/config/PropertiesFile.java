package dev.caravan.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The properties file Caravan reads at start ({@code application.properties} in the working directory), watched like
 * the route folder: routes use its values as placeholders, so a change rebuilds them.
 */
public record PropertiesFile(Path path) {

    /** The Camel property-placeholder location of this file (optional: the file may not exist). */
    public String location() {
        return "file:" + path + ";optional=true";
    }

    /** The location without options, as Camel names the loaded source. */
    String source() {
        return "file:" + path;
    }

    /** The file's text, or null when there is none. */
    String read() {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file's properties as they are now (none when there is no file). */
    public Properties load() {
        return parse(read());
    }

    static Properties parse(String content) {
        Properties properties = new Properties();
        if (content != null) {
            try {
                properties.load(new StringReader(content));
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return properties;
    }

    public String name() {
        return path.getFileName().toString();
    }
}
