package dev.caravan.access;

import java.nio.file.Path;

/** A file an access step reads (keys, users, key set, database) that cannot be used as it is, with where it went wrong. */
public final class FileFormatException extends Exception {

    private final Path file;
    private final int line;

    /** @param line 1-based line of the problem, or 0 when it is the whole file */
    public FileFormatException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public FileFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.line = 0;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
