package dev.caravan.access;

import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;

/**
 * One query parameter of a request target, read from the target itself (Caravan never turns query parameters into
 * headers): its first value, decoded, and the target with every copy of it removed and every other byte kept.
 *
 * @param value         the first value, percent-decoded ({@code +} is a space), empty when it has no {@code =}
 * @param targetWithout the target without the parameter (and without the {@code ?} when nothing else is left)
 */
record QueryParameter(String value, String targetWithout) {

    /** The parameter in {@code target}, or null when the target does not have it. */
    static QueryParameter find(String target, String name) {
        int q = target.indexOf('?');
        if (q < 0) {
            return null;
        }
        String value = null;
        StringBuilder kept = new StringBuilder(target.length());
        for (String part : target.substring(q + 1).split("&", -1)) {
            int eq = part.indexOf('=');
            if (decode(eq < 0 ? part : part.substring(0, eq)).equals(name)) {
                if (value == null) {
                    value = eq < 0 ? "" : decode(part.substring(eq + 1));
                }
                continue;
            }
            kept.append(kept.isEmpty() ? "" : "&").append(part);
        }
        if (value == null) {
            return null;
        }
        String path = target.substring(0, q);
        return new QueryParameter(value, kept.isEmpty() ? path : path + "?" + kept);
    }

    private static String decode(String text) {
        try {
            return QueryStringDecoder.decodeComponent(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text; // a broken escape: not the name we look for, and never a key
        }
    }
}
