package dev.caravan.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.apache.camel.Exchange;

import java.nio.charset.StandardCharsets;

/**
 * How a head-tier step answers a request itself, without a backend: a deny ({@code 403}), a challenge ({@code 401}
 * with {@code WWW-Authenticate}), a limit ({@code 429} with {@code Retry-After}), a redirect, a fixed page.
 *
 * <pre>{@code Answer.status(429).header("Retry-After", 3).sendFrom(exchange);}</pre>
 *
 * {@link #sendFrom} stops the route there (the steps after it do not run) and the gateway writes the answer; a status
 * of 400 or more without a body gets the gateway's error page (HTML or JSON, naming nothing internal). From code
 * that must unwind, {@code throw answer.asException()} does the same.
 */
public final class Answer {

    /** Exchange property holding the answer a step decided on. */
    public static final String PROPERTY = "CaravanAnswer";

    private final int status;
    private final HttpHeaders headers = new DefaultHttpHeaders();
    private byte[] body;

    private Answer(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("An answer needs a final status (200-599), was " + status);
        }
        this.status = status;
    }

    public static Answer status(int status) {
        return new Answer(status);
    }

    /** A redirect to {@code location} (301, 302, 303, 307 or 308). */
    public static Answer redirect(int status, String location) {
        if (status < 300 || status > 399) {
            throw new IllegalArgumentException("A redirect needs a 3xx status, was " + status);
        }
        return new Answer(status).header("Location", location);
    }

    /** Adds a response header (validated: CR, LF and NUL are refused). */
    public Answer header(String name, Object value) {
        headers.add(name, String.valueOf(value));
        return this;
    }

    public Answer body(String contentType, String text) {
        headers.set("Content-Type", contentType);
        this.body = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The body, or null for none (an error status then gets the gateway's page). */
    public byte[] body() {
        return body;
    }

    /** Answers the exchange with this and stops its route. */
    public void sendFrom(Exchange exchange) {
        exchange.setProperty(PROPERTY, this);
        exchange.setRouteStop(true);
    }

    public GatewayException asException() {
        return new GatewayException(this);
    }
}
