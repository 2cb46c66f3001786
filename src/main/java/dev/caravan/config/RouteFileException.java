package dev.caravan.config;

/** A route file (or set of them) that cannot be used; the message names the file and, where known, the line. */
public final class RouteFileException extends Exception {

    public RouteFileException(String message, Throwable cause) {
        super(message, cause);
    }

    public RouteFileException(String message) {
        super(message);
    }
}
