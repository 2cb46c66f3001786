package dev.caravan.listen;

/**
 * Where a listener accepts connections. {@code port} 0 picks a free port (tests).
 *
 * @param idleTimeoutMillis how long an idle keep-alive client connection stays open
 */
public record ListenerConfig(String name, String host, int port, long idleTimeoutMillis) {
}
