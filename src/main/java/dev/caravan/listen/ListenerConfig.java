package dev.caravan.listen;

import dev.caravan.access.CidrMatcher;
import dev.caravan.access.ForwardedTrust;
import dev.caravan.h2.H2Settings;
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
 * @param h2                also speak HTTP/2: {@code h2} by ALPN on a TLS listener (the certificates' context must
 *                          offer it), {@code h2c} with prior knowledge on a cleartext one; HTTP/1.1 always works
 * @param h2Settings        the HTTP/2 limits, when {@code h2}
 */
public record ListenerConfig(String name, String host, int port, ClientLimits limits, TlsTermination tls,
                             String hsts, ForwardedTrust forwardedTrust, PathCanonicalizer paths,
                             boolean proxyProtocol, boolean h2, H2Settings h2Settings) {

    public ListenerConfig {
        if (h2Settings == null) {
            h2Settings = H2Settings.DEFAULTS;
        }
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

    /** A listener that speaks HTTP/1.1 only. */
    public ListenerConfig(String name, String host, int port, ClientLimits limits, TlsTermination tls,
                          String hsts, ForwardedTrust forwardedTrust, PathCanonicalizer paths, boolean proxyProtocol) {
        this(name, host, port, limits, tls, hsts, forwardedTrust, paths, proxyProtocol, false, null);
    }

    /** A plain-HTTP listener. */
    public ListenerConfig(String name, String host, int port, ClientLimits limits, ForwardedTrust forwardedTrust) {
        this(name, host, port, limits, null, null, forwardedTrust, null, false, false, null);
    }

    public boolean secure() {
        return tls != null;
    }

    /** The head filters this listener applies to every response, after any a route installs. */
    public List<ResponseHeadFilter> responseFilters() {
        return hsts == null ? List.of() : List.of(new StrictTransportSecurity(hsts));
    }
}
