package dev.caravan.http;

/**
 * A failure that the gateway answers with a specific status. Its message is for logs only: clients get a generic
 * {@link ErrorPage}, never the message, so no backend address or internal detail leaks.
 */
public class GatewayException extends RuntimeException {

    private final int status;

    public GatewayException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public GatewayException(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Seconds for a {@code Retry-After} header on the error page, or 0 for none. */
    public int retryAfterSeconds() {
        return 0;
    }
}
