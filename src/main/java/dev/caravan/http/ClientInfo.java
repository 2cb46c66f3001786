package dev.caravan.http;

/**
 * Who sent a request, as far as the gateway knows it: worked out once per request (per connection for TLS facts)
 * and used everywhere after (routing, hashing, limits, logs).
 *
 * @param listener            the listener that accepted the connection
 * @param secure              the connection is TLS
 * @param ip                  the client's address; behind trusted proxies the right-most untrusted one in their chain
 * @param keepsForwardedChain the peer's {@code X-Forwarded-*} headers may be kept and appended to
 * @param certSubject         the subject (RFC 2253) of the client certificate verified in the TLS handshake, or null
 */
public record ClientInfo(String listener, boolean secure, String ip, boolean keepsForwardedChain, String certSubject) {
}
