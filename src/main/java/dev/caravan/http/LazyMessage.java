package dev.caravan.http;

import org.apache.camel.Message;

import java.util.function.Supplier;

/**
 * The route's message for a request on the fast path, made when a deciding step first asks for it ({@link DirectStep}):
 * a message costs a map of every request header, which a step that only reads one field need not pay for
 * ({@link DirectStep#header}).
 */
public interface LazyMessage extends Supplier<Message> {

    /** True once a step asked for the message: from then on the request's headers are the message's. */
    boolean made();
}
