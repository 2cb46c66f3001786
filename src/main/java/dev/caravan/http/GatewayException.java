package dev.caravan.http;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A failure that the gateway answers with a specific status. Its message is for logs only: clients get a generic
 * {@link ErrorPage}, never the message, so no backend address or internal detail leaks. It may carry response headers
 * (an {@link Answer} thrown from code: {@code WWW-Authenticate}, {@code Retry-After}, ...).
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final Answer answer;

    public GatewayException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
        this.answer = null;
    }

    public GatewayException(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.answer = null;
    }

    GatewayException(Answer answer) {
        super("Answered " + answer.status(), null, false, false);
        this.status = answer.status();
        this.answer = answer;
    }

    public int status() {
        return status;
    }

    /** Seconds for a {@code Retry-After} header on the error page, or 0 for none. */
    public int retryAfterSeconds() {
        return 0;
    }

    /** The answer to send instead of a bare error page, or null. */
    public Answer answer() {
        return answer;
    }

    /** Headers for the error page (the answer's, plus {@code Retry-After}), or null. */
    public HttpHeaders responseHeaders() {
        if (answer != null) {
            return answer.headers();
        }
        if (retryAfterSeconds() > 0) {
            return new io.netty.handler.codec.http.DefaultHttpHeaders()
                    .setInt(io.netty.handler.codec.http.HttpHeaderNames.RETRY_AFTER, retryAfterSeconds());
        }
        return null;
    }
}
