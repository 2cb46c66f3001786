package dev.caravan.tls;

import java.nio.file.Path;

/** A certificate or key file that cannot be served; the message names the file and what is wrong with it. */
public final class CertificateFileException extends Exception {

    private final Path file;

    public CertificateFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public CertificateFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public Path file() {
        return file;
    }
}
