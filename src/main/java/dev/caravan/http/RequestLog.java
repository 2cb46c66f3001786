package dev.caravan.http;

/**
 * What happened to one request, phase by phase: when it reached each phase (nanoTime, mostly the {@link ReadTime} of
 * the read that brought it there; 0 = never), bytes each way, the route and backend that handled it, and how it ended.
 * Filled in by the data path on the request's event loop; read by whatever reports on requests (access logs, metrics)
 * once the exchange has finished.
 */
public final class RequestLog {

    /** How the exchange ended. */
    public enum Outcome {
        /** Still running. */
        OPEN,
        /** The whole response went out. */
        COMPLETED,
        /** Refused before any route saw it (malformed or smuggling-prone request). */
        REFUSED,
        /** The client went away before the response was complete. */
        CLIENT_GONE,
        /** The response was cut off mid-body (the backend failed, or a body could not be written). */
        RESPONSE_FAILED,
        /** Cut by the gateway: a drained route generation ran out of time, or shutdown. */
        CUT
    }

    private final long connectionAcceptedNanos;
    private final long headReadNanos;
    private long routeDecidedNanos;
    private long backendConnectedNanos;
    private long requestSentNanos;
    private long backendHeadNanos;
    private long responseHeadNanos;
    private long lastByteNanos;
    private long bytesIn;
    private long bytesOut;
    private String routeId;
    private String backend;
    private int attempts;
    private int status;
    private Outcome outcome = Outcome.OPEN;
    private String protocol = "HTTP/1.1";
    private int grpcStatus = -1;
    // observe: how each backend attempt ended, for per-backend metrics (connect failures, timeouts)
    private java.util.List<Attempt> attemptResults;

    /** One backend attempt: the origin tried and how it ended (a {@code ForwardOutcome.Kind} name). */
    public record Attempt(String origin, String result) {
    }

    public RequestLog(long connectionAcceptedNanos, long headReadNanos) {
        this.connectionAcceptedNanos = connectionAcceptedNanos;
        this.headReadNanos = headReadNanos;
    }

    /**
     * Wall-clock time the request head was read (epoch millis), for log lines: worked out from the monotonic clock when
     * asked, since most requests are never logged line by line.
     */
    public long startMillis() {
        return System.currentTimeMillis() - java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(
                System.nanoTime() - headReadNanos);
    }

    /** When the connection that carried this request was accepted (the same for every request on it). */
    public long connectionAcceptedNanos() {
        return connectionAcceptedNanos;
    }

    public long headReadNanos() {
        return headReadNanos;
    }

    public long routeDecidedNanos() {
        return routeDecidedNanos;
    }

    public long backendConnectedNanos() {
        return backendConnectedNanos;
    }

    public long requestSentNanos() {
        return requestSentNanos;
    }

    /** When the backend's response head arrived (0 when no backend answered). */
    public long backendHeadNanos() {
        return backendHeadNanos;
    }

    /** When the response head went to the client. */
    public long responseHeadNanos() {
        return responseHeadNanos;
    }

    public long lastByteNanos() {
        return lastByteNanos;
    }

    /** Request body bytes received from the client. */
    public long bytesIn() {
        return bytesIn;
    }

    /** Response body bytes written to the client (after any transformation). */
    public long bytesOut() {
        return bytesOut;
    }

    /** The route that took the request, or null (no route matched, or refused). */
    public String routeId() {
        return routeId;
    }

    /** The origin of the last backend tried ({@code http://host:port}), or null when none was. */
    public String backend() {
        return backend;
    }

    /** Backends tried (0 when the route answered itself). */
    public int attempts() {
        return attempts;
    }

    /** The status sent to the client (0 before the response head). */
    public int status() {
        return status;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** How the client spoke: {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}. */
    public String protocol() {
        return protocol;
    }

    public void protocol(String clientProtocol) {
        this.protocol = clientProtocol;
    }

    /** The {@code grpc-status} the client got (from the response trailers or a trailers-only head), or -1. */
    public int grpcStatus() {
        return grpcStatus;
    }

    public void grpcStatus(int status) {
        this.grpcStatus = status;
    }

    /** Nanoseconds from the request head to the last byte (or to now, while open). */
    public long durationNanos() {
        return (lastByteNanos != 0 ? lastByteNanos : System.nanoTime()) - headReadNanos;
    }

    /** Nanoseconds from sending the request to the backend to its response head, or -1 when there was none. */
    public long backendNanos() {
        return backendHeadNanos == 0 || requestSentNanos == 0 ? -1 : backendHeadNanos - requestSentNanos;
    }

    // ---- written by the data path

    void routeDecided(String route) {
        this.routeId = route;
        this.routeDecidedNanos = System.nanoTime();
    }

    /** One more backend attempt starts, on this origin. */
    public void attemptStarted(String origin) {
        this.backend = origin;
        this.attempts++;
        this.backendConnectedNanos = 0;
        this.requestSentNanos = 0;
        this.backendHeadNanos = 0;
    }

    /** At {@code now} (System.nanoTime(): the caller's, which often times something else too). */
    public void backendConnected(long now) {
        this.backendConnectedNanos = now;
    }

    /** At {@code now}, as {@link #backendConnected}. */
    public void requestSent(long now) {
        this.requestSentNanos = now;
    }

    /** The current attempt ended with {@code result} (observe: per-backend attempt metrics). */
    public void attemptEnded(String result) {
        if (backend != null) {
            if (attemptResults == null) {
                attemptResults = new java.util.ArrayList<>(2);
            }
            attemptResults.add(new Attempt(backend, result));
        }
    }

    /** Every backend attempt that ended, in order (empty when none was made). */
    public java.util.List<Attempt> attemptResults() {
        return attemptResults == null ? java.util.List.of() : attemptResults;
    }

    void responseStarted(int statusCode) {
        this.status = statusCode;
        this.responseHeadNanos = ReadTime.now();
    }

    /** The backend's response head arrived (before the route looks at it). */
    public void backendResponded() {
        this.backendHeadNanos = ReadTime.now();
    }

    void addBytesIn(long n) {
        bytesIn += n;
    }

    void addBytesOut(long n) {
        bytesOut += n;
    }

    void ended(Outcome how) {
        if (outcome == Outcome.OPEN) {
            outcome = how;
            lastByteNanos = ReadTime.now();
        }
    }
}
