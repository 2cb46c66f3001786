package dev.caravan.access;

import java.nio.file.Path;

/** How an access step reads one kind of file (API keys, htpasswd users, a JWK set, a GeoIP database). */
interface FileFormat<T> {

    /** What the file holds, for log lines ("API keys", "users"). */
    String what();

    /** Parses a whole file; {@code content} is its bytes as read. */
    T parse(Path file, byte[] content) throws FileFormatException;
}
