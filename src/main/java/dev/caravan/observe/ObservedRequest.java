package dev.caravan.observe;

/**
 * What the gateway's observability attaches to each exchange when it starts ({@code ProxyExchange.attach}): the
 * request id, the trace context, the TLS facts of its connection, and the access-log choice a route step may
 * override. Written and read on the exchange's event loop.
 */
public final class ObservedRequest {

    private final CharSequence requestId;
    private final TraceContext trace;
    private final TlsFacts tls;
    private AccessLogConfiguration.RouteChoice routeChoice;
    /** The connection's MDC handler (null when the connection has none), told when the request is over. */
    RequestMdcHandler mdc;

    ObservedRequest(CharSequence requestId, TraceContext trace, TlsFacts tls) {
        this.requestId = requestId;
        this.trace = trace;
        this.tls = tls;
    }

    public String requestId() {
        return requestId.toString(); // (an AsciiString keeps the String it made)
    }

    /** The id as it goes into a header: a new one's bytes are copied, not encoded char by char. */
    CharSequence requestIdValue() {
        return requestId;
    }

    /** The trace context, or null when trace handling is off. */
    public TraceContext trace() {
        return trace;
    }

    public String traceId() {
        return trace == null ? null : trace.traceId();
    }

    /** The TLS protocol and SNI name of the connection, or null for plain HTTP. */
    public TlsFacts tls() {
        return tls;
    }

    /** The access-log choice of the route ({@code caravan-access-log} step), or null to use the listener's. */
    AccessLogConfiguration.RouteChoice routeChoice() {
        return routeChoice;
    }

    void routeChoice(AccessLogConfiguration.RouteChoice choice) {
        this.routeChoice = choice;
    }

    /** The TLS protocol version and the SNI host name the client asked for (null when it sent none). */
    public record TlsFacts(String protocol, String sni) {
    }
}
