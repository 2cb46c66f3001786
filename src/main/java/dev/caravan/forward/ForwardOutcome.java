package dev.caravan.forward;

import dev.caravan.http.BodySource;
import io.netty.handler.codec.http.HttpResponse;

/**
 * How one attempt to forward a request to one backend ended, as the {@link ForwardCall} reports it to the retry
 * logic: what happened, whether the backend may have seen the request, and the response when there is one.
 *
 * @param requestSent true once any byte of the request went to the backend (it may have acted on it)
 * @param response    the final response head ({@link Kind#RESPONDED}) or null
 * @param body        its body, streaming ({@link Kind#RESPONDED}) or null
 * @param status      the backend's status for {@link Kind#RESPONDED} and {@link Kind#RETRYABLE_STATUS}; for
 *                    {@link Kind#REQUEST_BODY_FAILED} the status the failure calls for (413 for a body over a limit)
 * @param detail      for logs only (never sent to a client)
 */
record ForwardOutcome(Kind kind, boolean requestSent, HttpResponse response, BodySource body, int status,
                      String detail) {

    enum Kind {
        /** A final response head arrived; its body streams on. */
        RESPONDED,
        /** The backend answered 502/503/504 and the caller chose to retry elsewhere; the answer was dropped. */
        RETRYABLE_STATUS,
        /** No connection (refused, unreachable, TLS handshake refused). */
        CONNECT_FAILED,
        CONNECT_TIMEOUT,
        /** The connection closed before a response head. */
        CLOSED_BEFORE_HEAD,
        /** The backend sent something that is not a valid HTTP response head. */
        INVALID_RESPONSE,
        /** No response head within the response timeout after the request was sent. */
        RESPONSE_TIMEOUT,
        /** The client went away; the attempt was cancelled. */
        CLIENT_GONE,
        /** The client's request body broke off (or was malformed) while it was being forwarded. */
        REQUEST_BODY_FAILED
    }

    static ForwardOutcome responded(HttpResponse response, BodySource body) {
        return new ForwardOutcome(Kind.RESPONDED, true, response, body, response.status().code(), null);
    }

    static ForwardOutcome failed(Kind kind, boolean requestSent, int status, String detail) {
        return new ForwardOutcome(kind, requestSent, null, null, status, detail);
    }

    /** The backend is to blame, and another backend might do better. */
    boolean backendFault() {
        return switch (kind) {
            case RETRYABLE_STATUS, CONNECT_FAILED, CONNECT_TIMEOUT, CLOSED_BEFORE_HEAD, INVALID_RESPONSE,
                 RESPONSE_TIMEOUT -> true;
            default -> false;
        };
    }

    /** The status the client gets if this is the final word. */
    int clientStatus() {
        return switch (kind) {
            case RESPONDED, RETRYABLE_STATUS -> status;
            case CONNECT_TIMEOUT, RESPONSE_TIMEOUT -> 504;
            case CONNECT_FAILED, CLOSED_BEFORE_HEAD, INVALID_RESPONSE -> 502;
            case CLIENT_GONE -> 499;
            case REQUEST_BODY_FAILED -> status != 0 ? status : 400;
        };
    }
}
