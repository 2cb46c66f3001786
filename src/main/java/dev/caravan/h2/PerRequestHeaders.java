package dev.caravan.h2;

import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.util.AsciiString;

import java.util.Set;

/**
 * Tells the HPACK encoder which headers carry a value that is new on every request (request ids, trace ids), so it
 * sends them as literals that are never indexed. Indexed, each one would take a slot of the connection's 4 KiB dynamic
 * table that no later message uses, and push out the entries that do repeat ({@code server}, {@code content-type}):
 * every message then paid for an eviction, an insertion and, every few dozen messages, for re-sending the repeated
 * headers in full. Every other header is indexed as before.
 */
public final class PerRequestHeaders implements Http2HeadersEncoder.SensitivityDetector {

    /** Caravan's own request id and W3C trace context, and the trace ids of the tracers in common use. */
    public static final PerRequestHeaders COMMON = new PerRequestHeaders(Set.of(
            "x-request-id", "traceparent", "x-b3-traceid", "x-b3-spanid", "x-amzn-trace-id", "x-cloud-trace-context"));

    private final Set<AsciiString> names;

    public PerRequestHeaders(Set<String> names) {
        this.names = Set.copyOf(names.stream().map(name -> AsciiString.of(name).toLowerCase()).toList());
    }

    @Override
    public boolean isSensitive(CharSequence name, CharSequence value) {
        // names arrive lower case (HTTP/2 requires it), so toLowerCase returns the same string; AsciiString hashes and
        // compares as bytes: the lookup costs one hash of a short name
        return names.contains((name instanceof AsciiString ascii ? ascii : AsciiString.of(name)).toLowerCase());
    }
}
