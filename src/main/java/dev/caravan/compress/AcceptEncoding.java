package dev.caravan.compress;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request's {@code Accept-Encoding} (RFC 9110 12.5.3): each coding with its q-value. A coding is acceptable when it
 * is listed with q &gt; 0, or not listed and {@code *} has q &gt; 0; {@code identity} is acceptable unless refused
 * ({@code identity;q=0}, or {@code *;q=0} without it). No field at all: RFC 9110 would allow any coding, but clients
 * that send none are the ones that cannot decode one, so here only identity is acceptable then.
 */
public final class AcceptEncoding {

    private final Map<String, Float> weights; // lower-case coding → q
    private final boolean present;

    private AcceptEncoding(Map<String, Float> weights, boolean present) {
        this.weights = weights;
        this.present = present;
    }

    /** Parses the field's value (every line joined with commas), or null for no field. */
    public static AcceptEncoding parse(String field) {
        Map<String, Float> weights = new TreeMap<>();
        if (field == null) {
            return new AcceptEncoding(weights, false);
        }
        for (String element : field.split(",")) {
            String[] parts = element.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            if (coding.isEmpty()) {
                continue;
            }
            float q = 1f;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q') && param.charAt(1) == '=') {
                    try {
                        q = Math.max(0f, Math.min(1f, Float.parseFloat(param.substring(2).trim())));
                    } catch (NumberFormatException e) {
                        q = 0f; // an unreadable weight does not count as consent
                    }
                }
            }
            if (coding.equals("x-gzip")) {
                coding = "gzip";
            }
            weights.merge(coding, q, Math::max);
        }
        return new AcceptEncoding(weights, true);
    }

    public boolean isPresent() {
        return present;
    }

    /** The client's weight for a coding: 0 means it must not be sent. */
    public float weight(String coding) {
        String c = coding.toLowerCase(Locale.ROOT);
        if (!present) {
            return c.equals("identity") ? 1f : 0f;
        }
        Float q = weights.get(c);
        if (q != null) {
            return q;
        }
        Float any = weights.get("*");
        if (c.equals("identity")) {
            return any != null && any == 0f ? 0f : 1f;
        }
        return any == null ? 0f : any;
    }

    /** True when a response in this coding (null or "identity" for none) may be sent to the client. */
    public boolean accepts(String coding) {
        return coding == null || weight(coding) > 0f;
    }

    /**
     * The coding to compress with, from {@code offered} in the server's order of preference: the one the client
     * weighs highest (ties go to the server's order), or null for none (no field, or nothing acceptable).
     */
    public String choose(Iterable<String> offered) {
        if (!present) {
            return null;
        }
        String best = null;
        float bestQ = 0f;
        for (String coding : offered) {
            float q = weight(coding);
            if (q > bestQ) {
                best = coding;
                bestQ = q;
            }
        }
        if (best != null && weight("identity") > bestQ && weights.containsKey("identity")) {
            return null; // the client prefers identity outright
        }
        return best;
    }

    /**
     * A canonical form for cache variants: the codings among {@code known} this client accepts, sorted. Two requests
     * with the same form may be given the same coded response.
     */
    public String acceptedAmong(Iterable<String> known) {
        StringBuilder form = new StringBuilder();
        for (String coding : known) {
            if (weight(coding) > 0f) {
                if (form.length() > 0) {
                    form.append(',');
                }
                form.append(coding);
            }
        }
        return form.toString(); // no field and "identity" alike: only identity
    }
}
