package dev.caravan.access;

import java.util.ArrayList;
import java.util.List;

/** Checks header names and lists of them given in step options. */
final class HeaderNames {

    private HeaderNames() {
    }

    /** The name if it is an RFC 9110 token, else an error naming the option. */
    static String require(String name, String option) {
        if (name.isEmpty() || !name.chars().allMatch(HeaderNames::isTokenChar)) {
            throw new IllegalArgumentException(option + ": '" + name + "' is not a header name");
        }
        return name;
    }

    /** A comma-separated list of header names (empty for none). */
    static List<String> list(String names, String option) {
        List<String> list = new ArrayList<>();
        if (names != null) {
            for (String name : names.split(",")) {
                if (!name.isBlank()) {
                    list.add(require(name.trim(), option));
                }
            }
        }
        return List.copyOf(list);
    }

    static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    /** True if a header value can be sent as it is (no CR, LF, NUL or other control characters). */
    static boolean isSafeValue(String value) {
        return value.chars().allMatch(c -> c >= 32 && c != 127 || c == '\t');
    }
}
