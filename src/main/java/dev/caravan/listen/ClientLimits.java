package dev.caravan.listen;

/**
 * What a listener allows each client: per-phase timeouts, sizes and counts. Defaults follow nginx and HAProxy where
 * they agree; all are {@code caravan.client.*} properties (README, "Limits and timeouts").
 *
 * @param headerTimeoutMillis   from the first byte of a request head (or from the accept, for a connection's first
 *                              request) until the head is complete; then 408 and close (slowloris)
 * @param bodyTimeoutMillis     longest pause between two reads of a request body; then 408 (or close) 
 * @param keepAliveTimeoutMillis how long a connection may sit idle between requests
 * @param sendTimeoutMillis     how long a client may stop reading a response before it is cut off
 * @param maxRequestsPerConnection requests served on one connection before it is closed (0: no limit)
 * @param maxConnections        connections open at once on the listener (0: no limit); more are closed at accept
 * @param maxConnectionsPerIp   connections open at once from one address (0: no limit)
 * @param maxRequestLine        bytes of the request line (more: 414)
 * @param maxHeaderSize         bytes of all header lines (more: 431)
 * @param maxHeaderCount        header lines (more: 431)
 * @param maxBodySize           bytes of a request body, unless a route sets its own (0: no limit); more: 413
 */
public record ClientLimits(long headerTimeoutMillis, long bodyTimeoutMillis, long keepAliveTimeoutMillis,
                           long sendTimeoutMillis, int maxRequestsPerConnection, int maxConnections,
                           int maxConnectionsPerIp, int maxRequestLine, int maxHeaderSize, int maxHeaderCount,
                           long maxBodySize) {

    public static final ClientLimits DEFAULTS = new ClientLimits(10_000, 30_000, 60_000, 60_000, 1000, 20_000, 0, 8192,
            16384, 100, 0);

    public ClientLimits {
        requirePositive("headerTimeout", headerTimeoutMillis);
        requirePositive("bodyTimeout", bodyTimeoutMillis);
        requirePositive("keepAliveTimeout", keepAliveTimeoutMillis);
        requirePositive("sendTimeout", sendTimeoutMillis);
        requirePositive("maxRequestLine", maxRequestLine);
        requirePositive("maxHeaderSize", maxHeaderSize);
        requirePositive("maxHeaderCount", maxHeaderCount);
        if (maxRequestsPerConnection < 0 || maxConnections < 0 || maxConnectionsPerIp < 0 || maxBodySize < 0) {
            throw new IllegalArgumentException("caravan.client limits must not be negative (0 means no limit)");
        }
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("caravan.client." + name + " must be positive, was " + value);
        }
    }

    /** These limits with a different keep-alive timeout (tests, and listeners that differ). */
    public ClientLimits withTimeouts(long header, long body, long keepAlive, long send) {
        return new ClientLimits(header, body, keepAlive, send, maxRequestsPerConnection, maxConnections,
                maxConnectionsPerIp, maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize);
    }
}
