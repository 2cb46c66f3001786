package dev.caravan.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tells the backend who really asked, and makes sure nobody else can: every header a backend might read the client's
 * identity from is rewritten or dropped. {@code X-Forwarded-For} gets the peer appended (after an untrusted peer's own
 * chain was dropped), {@code X-Forwarded-Proto/-Host/-Port} and {@code X-Real-IP} are set by Caravan, {@code Via}
 * gets this hop; {@code Forwarded} (RFC 7239) is kept from trusted proxies and appended to when the route asks for it,
 * else dropped; the rest of the family ({@code X-Client-IP}, {@code True-Client-IP}, ...) and any spelling with
 * underscores ({@code X_Forwarded_For}, which some servers read as the same header) are always dropped.
 */
final class ForwardedHeaders {

    // names as AsciiStrings: the header map hashes them once, not on every request
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("X-Forwarded-Port");
    private static final AsciiString X_REAL_IP = AsciiString.cached("X-Real-IP");
    private static final AsciiString FORWARDED = AsciiString.cached("Forwarded");
    /** Client-identity headers by their lower-case, dash-spelled names. */
    private static final Set<String> FAMILY = Set.of("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
            "x-forwarded-port", "x-forwarded-prefix", "x-forwarded-server", "forwarded", "x-real-ip", "x-client-ip",
            "true-client-ip", "x-cluster-client-ip", "x-original-forwarded-for", "cf-connecting-ip",
            "fastly-client-ip");
    /** Family members Caravan never passes on from anyone: it sets them itself or nobody should. */
    private static final Set<String> ALWAYS_DROPPED = Set.of("x-real-ip", "x-client-ip", "true-client-ip",
            "x-cluster-client-ip", "x-original-forwarded-for", "cf-connecting-ip", "fastly-client-ip",
            "x-forwarded-prefix", "x-forwarded-server");

    /**
     * For each first letter (lower case), a bit per name length that some member of {@link #FAMILY} has: a name outside
     * them cannot be one, whatever its spelling (an underscore keeps the length). {@code X-Request-Id} and
     * {@code traceparent}, on every request, are ruled out here without being lower-cased.
     */
    private static final long[] FAMILY_LENGTHS = familyLengths();

    private ForwardedHeaders() {
    }

    private static long[] familyLengths() {
        long[] lengths = new long[128];
        for (String name : FAMILY) {
            lengths[name.charAt(0)] |= 1L << name.length();
        }
        return lengths;
    }

    /** {@code emitForwarded}: also send RFC 7239 {@code Forwarded} (appended to a trusted proxy's). */
    static void apply(HttpHeaders out, ProxyExchange request, boolean emitForwarded) {
        ClientInfo client = request.client();
        boolean keepChain = client.keepsForwardedChain();
        boolean trustedProxy = client.peer() == ClientInfo.Peer.TRUSTED_PROXY;
        List<String> drop = null; // rare: no list for the usual head
        // entries, not names(): that copies every name into a new set; a name seen twice is dropped twice (harmless)
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = out.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence key = it.next().getKey();
            if (!mayBeFamily(key)) {
                continue; // most names (Host, Accept, User-Agent ...): no lower-casing on the hot path
            }
            String name = key.toString();
            String lower = name.toLowerCase(Locale.ROOT);
            String dashed = lower.replace('_', '-');
            if (!FAMILY.contains(dashed)) {
                continue;
            }
            boolean untrustedFamily = !keepChain && (dashed.startsWith("x-forwarded-") || dashed.equals("forwarded"));
            boolean foreignForwarded = dashed.equals("forwarded") && !trustedProxy;
            if (!lower.equals(dashed) || ALWAYS_DROPPED.contains(dashed) || untrustedFamily || foreignForwarded) {
                if (drop == null) {
                    drop = new ArrayList<>(2);
                }
                drop.add(name);
            }
        }
        if (drop != null) {
            drop.forEach(out::remove);
        }
        if (!keepChain) {
            out.remove(HttpHeaderNames.VIA); // an untrusted peer's forwarding story is a lie until proven otherwise
        }
        // the peer's text: what client.ip() already holds unless a trusted proxy named another client
        String peer = trustedProxy ? request.remoteAddress().getAddress().getHostAddress() : client.ip();
        String prior = joined(out, X_FORWARDED_FOR);
        out.set(X_FORWARDED_FOR, prior.isBlank() ? peer : prior + ", " + peer);
        String proto = request.isSecure() ? "https" : "http";
        out.set(X_FORWARDED_PROTO, proto);
        String host = request.head().headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            out.set(X_FORWARDED_HOST, host);
        }
        out.set(X_FORWARDED_PORT, Integer.toString(request.localAddress().getPort()));
        out.set(X_REAL_IP, request.clientIp());
        if (emitForwarded) {
            String element = "for=" + node(peer) + ";proto=" + proto + (host == null ? "" : ";host=\"" + host + "\"");
            String priorForwarded = joined(out, FORWARDED);
            out.set(FORWARDED, priorForwarded.isBlank() ? element : priorForwarded + ", " + element);
        }
        String hop = request.version().minorVersion() == 0 ? "1.0 caravan" : "1.1 caravan";
        String via = joined(out, HttpHeaderNames.VIA);
        out.set(HttpHeaderNames.VIA, via.isBlank() ? hop : via + ", " + hop);
    }

    /** The values of {@code name} joined by ", ", or "" without reading them into a list when there are none. */
    private static String joined(HttpHeaders headers, CharSequence name) {
        return headers.contains(name) ? String.join(", ", headers.getAll(name)) : "";
    }

    /** False for a name that cannot be in {@link #FAMILY}, by its first letter and length (a cheap pre-check). */
    private static boolean mayBeFamily(CharSequence name) {
        int length = name.length();
        if (length == 0 || length >= Long.SIZE) {
            return false;
        }
        char first = Character.toLowerCase(name.charAt(0));
        return first < FAMILY_LENGTHS.length && (FAMILY_LENGTHS[first] >>> length & 1) != 0;
    }

    /** An RFC 7239 node: IPv6 addresses quoted and bracketed. */
    private static String node(String address) {
        return address.indexOf(':') >= 0 ? "\"[" + address + "]\"" : address;
    }
}
