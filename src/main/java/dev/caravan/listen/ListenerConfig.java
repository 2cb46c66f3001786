package dev.caravan.listen;

import dev.caravan.access.CidrMatcher;
import dev.caravan.access.ForwardedTrust;
import dev.caravan.http.PathCanonicalizer;
import dev.caravan.http.ResponseHeadFilter;
import dev.caravan.tls.StrictTransportSecurity;
import dev.caravan.tls.TlsTermination;

import java.util.List;

/**
 * Where a listener accepts connections and what it applies to every request. {@code port} 0 picks a free port (tests).
 *
 * @param limits            per-phase timeouts, sizes and counts for every client
 * @param paths             how request paths are read for routing and rules
 * @param proxyProtocol     every connection starts with a PROXY protocol header (v1 or v2) from a trusted load
 *                          balancer, naming the real client
 * @param tls               terminates TLS on each connection before HTTP is parsed; null for plain HTTP
 * @param hsts              the {@code Strict-Transport-Security} value added to every response of a TLS listener;
 *                          null for none
 */
public record ListenerConfig(String name, String host, int port, ClientLimits limits, TlsTermination tls,
                             String hsts, ForwardedTrust forwardedTrust, PathCanonicalizer paths,
                             boolean proxyProtocol) {

    public ListenerConfig {
        if (tls == null) {
            hsts = null; // browsers ignore it over plain HTTP (RFC 6797 8.1), so it is never sent there
        }
        if (limits == null) {
            limits = ClientLimits.DEFAULTS;
        }
        if (forwardedTrust == null) {
            forwardedTrust = new ForwardedTrust(CidrMatcher.parse(""));
        }
        if (paths == null) {
            paths = new PathCanonicalizer(true, false);
        }
    }

    /** A plain-HTTP listener. */
    public ListenerConfig(String name, String host, int port, ClientLimits limits, ForwardedTrust forwardedTrust) {
        this(name, host, port, limits, null, null, forwardedTrust, null, false);
    }

    public boolean secure() {
        return tls != null;
    }

    /** The head filters this listener applies to every response, after any a route installs. */
    public List<ResponseHeadFilter> responseFilters() {
        return hsts == null ? List.of() : List.of(new StrictTransportSecurity(hsts));
    }
}
