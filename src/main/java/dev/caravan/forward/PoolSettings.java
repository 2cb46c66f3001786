package dev.caravan.forward;

/**
 * How connections to one backend are made and kept.
 *
 * @param connectTimeoutMillis give up connecting after this long (504)
 * @param maxIdle              idle keep-alive connections kept per backend (like nginx's {@code keepalive})
 * @param idleTimeoutMillis    close a kept connection idle this long; keep it below the backend's own timeout
 */
public record PoolSettings(long connectTimeoutMillis, int maxIdle, long idleTimeoutMillis) {
}
