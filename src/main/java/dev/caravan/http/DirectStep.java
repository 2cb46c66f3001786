package dev.caravan.http;

import org.apache.camel.Message;

import java.util.function.Supplier;

/**
 * A head-tier step that decides on the request, and may edit the request's headers, without a Camel exchange: allow
 * (after, say, putting a verified identity into a header for the backend), or answer. A route whose steps are such
 * steps and then a forward keeps the fast path; the step's Camel producer makes the same decision through
 * {@link #decide}, so both paths answer alike and send the backend the same request. A step that holds resources may
 * also be a Camel {@code Service}: whoever runs it starts and stops it.
 */
public interface DirectStep {

    /**
     * Null to let the request go on, else the answer that ends it (before any backend is asked). {@code message} is
     * the request as a route's message (headers as {@link HttpBinding#toCamel} makes them), made on first use: a step
     * that reads or edits headers asks for it, one that needs only the request (the client address) does not, and
     * costs nothing more.
     */
    Answer decide(ProxyExchange request, Supplier<Message> message);

    /**
     * A request header as the steps before this one left it: the message's once a step made it, else read from the
     * request as a new message would hold it (a String, a List for a repeated field, or null), without making one.
     */
    static Object header(ProxyExchange request, Supplier<Message> message, String name) {
        return message instanceof LazyMessage lazy && !lazy.made()
                ? HttpBinding.requestHeader(request, name) : message.get().getHeader(name);
    }

    /** An endpoint whose step can run without an exchange: a new step, or null when its options need the exchange. */
    interface Source {
        DirectStep directStep();
    }
}
