package dev.caravan.access;

import dev.caravan.http.ClientInfo.Peer;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which forwarding headers to believe (field note 8: trust them only from known proxies). Without trusted proxies
 * configured, every peer's {@code X-Forwarded-For} chain is kept and appended to (what a lone edge proxy usually does),
 * and the peer is the client. With them, a chain is kept only when the peer is one of them, and the client is the
 * right-most address in it that is not a trusted proxy, read from RFC 7239 {@code Forwarded} when the proxy sent one,
 * else from {@code X-Forwarded-For}; from anyone else the chain is dropped and the peer is the client.
 */
public final class ForwardedTrust {

    private final CidrMatcher trustedProxies;

    public ForwardedTrust(CidrMatcher trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public Peer peer(InetAddress peer) {
        if (trustedProxies.isEmpty()) {
            return Peer.NO_PROXIES_CONFIGURED;
        }
        return trustedProxies.matches(peer) ? Peer.TRUSTED_PROXY : Peer.UNTRUSTED;
    }

    /** True if the peer is one of the configured trusted proxies. */
    public boolean isTrustedProxy(InetAddress peer) {
        return peer(peer) == Peer.TRUSTED_PROXY;
    }

    /** True if the peer's {@code X-Forwarded-*} headers are kept and appended to. */
    public boolean keepsChainFrom(InetAddress peer) {
        return peer(peer).keepsChain();
    }

    /** The client address, computed once per request and used everywhere (routing, hashing, limits, logs). */
    public String clientOf(InetAddress peer, HttpHeaders headers) {
        if (peer(peer) != Peer.TRUSTED_PROXY) {
            return peer.getHostAddress();
        }
        List<String> forwarded = headers.getAll("Forwarded");
        List<String> hops = forwarded.isEmpty() ? xForwardedForHops(headers.getAll("X-Forwarded-For"))
                : forwardedForHops(forwarded);
        String client = peer.getHostAddress();
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = CidrMatcher.literal(hops.get(i));
            if (hop == null) {
                return client; // garbage (or an obfuscated identifier) in the chain: trust nothing left of it
            }
            client = hop.getHostAddress();
            if (!trustedProxies.matches(hop)) {
                return client;
            }
        }
        return client;
    }

    private static List<String> xForwardedForHops(List<String> values) {
        List<String> hops = new ArrayList<>();
        for (String value : values) {
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }
        return hops;
    }

    /** The {@code for=} of each element of RFC 7239 {@code Forwarded} headers, in order ({@code for="[2001:db8::1]:80"}). */
    static List<String> forwardedForHops(List<String> values) {
        List<String> hops = new ArrayList<>();
        for (String value : values) {
            for (String element : value.split(",")) {
                String node = null;
                for (String pair : element.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                        node = unquote(pair.substring(eq + 1).trim());
                    }
                }
                hops.add(node == null ? "" : withoutPort(node));
            }
        }
        return hops;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    private static String withoutPort(String node) {
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            return close < 0 ? node : node.substring(1, close);
        }
        int colon = node.indexOf(':');
        return colon < 0 || node.indexOf(':', colon + 1) >= 0 ? node : node.substring(0, colon);
    }
}
