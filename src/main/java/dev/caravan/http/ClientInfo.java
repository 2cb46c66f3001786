package dev.caravan.http;


/**
 * Who sent a request, as far as the gateway knows it: worked out once per request (per connection for TLS facts)
 * and used everywhere after (routing, hashing, limits, logs).
 *
 * @param listener            the listener that accepted the connection
 * @param secure              the connection is TLS
 * @param ip                  the client's address; behind trusted proxies the right-most untrusted one in their chain
 * @param peer                how the connection's peer stands: a trusted proxy (its forwarding headers are kept and
 *                            appended to), untrusted (they are dropped), or no trusted proxies configured (kept and
 *                            appended to, but never taken as the client)
 * @param certSubject         the subject (RFC 2253) of the client certificate verified in the TLS handshake, or null
 */
public record ClientInfo(String listener, boolean secure, String ip, Peer peer, String certSubject) {

    /** How a connection's peer stands: a configured trusted proxy, someone else, or no trusted proxies configured. */
    public enum Peer {
        TRUSTED_PROXY, UNTRUSTED, NO_PROXIES_CONFIGURED;

        /** The peer's {@code X-Forwarded-For} chain may be kept and appended to. */
        public boolean keepsChain() {
            return this != UNTRUSTED;
        }
    }

    /** The peer's {@code X-Forwarded-*} headers may be kept and appended to. */
    public boolean keepsForwardedChain() {
        return peer.keepsChain();
    }
}
