package dev.caravan.harden;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A list of header names to take out of a head: exact names, or prefixes written with a trailing {@code *}. */
final class HeaderNames {

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    /** {@code lists}: comma-separated names; blank ones are ignored. */
    HeaderNames(String... lists) {
        for (String list : lists) {
            for (String name : list == null ? new String[0] : list.split(",")) {
                String trimmed = name.trim().toLowerCase(Locale.ROOT);
                if (trimmed.isEmpty()) {
                    continue;
                }
                String bare = trimmed.endsWith("*") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
                if (bare.isEmpty() || !bare.chars().allMatch(HeaderNames::isTokenChar)) {
                    throw new IllegalArgumentException("'" + name.trim() + "' is not a header name");
                }
                (trimmed.endsWith("*") ? prefixes : exact).add(bare);
            }
        }
    }

    /** RFC 9110 token characters, the only ones a header name may hold. */
    static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    void removeFrom(HttpHeaders headers) {
        exact.forEach(headers::remove);
        if (!prefixes.isEmpty()) {
            List<String> names = new ArrayList<>(headers.names());
            for (String name : names) {
                String lower = name.toLowerCase(Locale.ROOT);
                for (String prefix : prefixes) {
                    if (lower.startsWith(prefix)) {
                        headers.remove(name);
                        break;
                    }
                }
            }
        }
    }
}
