package dev.caravan.observe;

import org.slf4j.MDC;

/**
 * The request's keys in the logging MDC ({@code requestId}, {@code traceId}). MDC is per thread and an event loop
 * serves many requests in turn, so the keys are only ever set around a piece of work done for one request and taken
 * away after it ({@link RequestMdcHandler}, {@link RequestMdcUnitOfWorkFactory}).
 */
final class RequestMdc {

    static final String REQUEST_ID = "requestId";
    static final String TRACE_ID = "traceId";

    private RequestMdc() {
    }

    static void put(ObservedRequest request) {
        MDC.put(REQUEST_ID, request.requestId());
        String traceId = request.traceId();
        if (traceId != null) {
            MDC.put(TRACE_ID, traceId);
        }
    }

    private static final Runnable NOTHING = () -> { };

    /** Puts the request's keys unless they are there already; returns what undoes exactly that. */
    static Runnable enter(ObservedRequest request) {
        if (request.requestId().equals(MDC.get(REQUEST_ID))) {
            return NOTHING; // the connection's handler set them: it takes them away too
        }
        put(request);
        return RequestMdc::clear;
    }

    static void clear() {
        MDC.remove(REQUEST_ID);
        MDC.remove(TRACE_ID);
    }
}
