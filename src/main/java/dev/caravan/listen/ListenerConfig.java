package dev.caravan.listen;

import dev.caravan.tls.TlsTermination;

/**
 * Where a listener accepts connections. {@code port} 0 picks a free port (tests).
 *
 * @param idleTimeoutMillis how long an idle keep-alive client connection stays open
 * @param tls               terminates TLS on each connection before HTTP is parsed; null for plain HTTP
 */
public record ListenerConfig(String name, String host, int port, long idleTimeoutMillis, TlsTermination tls) {

    /** A plain-HTTP listener. */
    public ListenerConfig(String name, String host, int port, long idleTimeoutMillis) {
        this(name, host, port, idleTimeoutMillis, null);
    }

    public boolean secure() {
        return tls != null;
    }
}
