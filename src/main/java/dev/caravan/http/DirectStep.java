package dev.caravan.http;

/**
 * A head-tier step that decides on the request alone, reading nothing from a Camel exchange and changing nothing on
 * it: allow, or answer. A route whose steps are such steps and then a forward keeps the fast path (no exchange); the
 * step's Camel producer makes the same decision through {@link #decide}, so both paths answer alike.
 */
public interface DirectStep {

    /** Null to let the request go on, else the answer that ends it (before any backend is asked). */
    Answer decide(ProxyExchange request);

    /** An endpoint whose step can run without an exchange: null when its options need the exchange. */
    interface Source {
        DirectStep directStep();
    }
}
