package dev.caravan.access;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * Which {@code X-Forwarded-For} to believe (field note 8: trust forwarding headers only from known proxies). Without
 * trusted proxies configured, every peer's chain is kept and appended to (what a lone edge proxy usually does). With
 * them, a chain is kept only when the peer is one of them, and the client is the right-most address in it that is
 * not a trusted proxy; from anyone else the chain is dropped and the peer is the client.
 */
public final class ForwardedTrust {

    private final CidrMatcher trustedProxies;

    public ForwardedTrust(CidrMatcher trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /** True if the peer's forwarding headers are kept and appended to. */
    public boolean keepsChainFrom(InetAddress peer) {
        return trustedProxies.isEmpty() || trustedProxies.matches(peer);
    }

    /** The client address, computed once per request and used everywhere (routing, hashing, logs). */
    public String clientOf(InetAddress peer, Supplier<List<String>> forwardedForHeaders) {
        if (trustedProxies.isEmpty() || !trustedProxies.matches(peer)) {
            return peer.getHostAddress();
        }
        List<String> forwardedFor = forwardedForHeaders.get();
        String client = peer.getHostAddress();
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                InetAddress hop = CidrMatcher.literal(hops[i]);
                if (hop == null) {
                    return client; // garbage in the chain: trust nothing left of it
                }
                client = hop.getHostAddress();
                if (!trustedProxies.matches(hop)) {
                    return client;
                }
            }
        }
        return client;
    }
}
