package dev.caravan.cache;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code Cache-Control} field parsed as what it is, a list of directives (RFC 9111 5.2): every line of the field,
 * split on commas outside quoted strings, names compared without case, arguments unquoted. Comparing the field as one
 * string is how {@code private, no-store} once got cached elsewhere; here {@code has("no-store")} is true for it.
 * When a directive appears twice, the first occurrence wins (RFC 9111 4.2.1 asks to treat such freshness as stale,
 * which {@link #seconds} does by returning 0 for a conflicting duplicate).
 */
public final class CacheControl {

    /** The field absent or empty. */
    public static final CacheControl NONE = new CacheControl(Map.of(), Map.of());

    private final Map<String, String> directives;
    private final Map<String, Boolean> conflicting;

    private CacheControl(Map<String, String> directives, Map<String, Boolean> conflicting) {
        this.directives = directives;
        this.conflicting = conflicting;
    }

    /** Parses every line of the field (null or empty: {@link #NONE}). */
    public static CacheControl parse(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return NONE;
        }
        Map<String, String> directives = new LinkedHashMap<>();
        Map<String, Boolean> conflicting = new LinkedHashMap<>();
        for (String line : lines) {
            parseLine(line, directives, conflicting);
        }
        return directives.isEmpty() ? NONE
                : new CacheControl(Collections.unmodifiableMap(directives), Collections.unmodifiableMap(conflicting));
    }

    public static CacheControl parse(String line) {
        return line == null ? NONE : parse(List.of(line));
    }

    private static void parseLine(String line, Map<String, String> directives, Map<String, Boolean> conflicting) {
        int i = 0;
        int n = line.length();
        while (i < n) {
            // skip separators and whitespace
            while (i < n && (line.charAt(i) == ',' || line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            int nameStart = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ',') {
                i++;
            }
            String name = line.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
            String value = "";
            if (i < n && line.charAt(i) == '=') {
                i++;
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && line.charAt(i) == '"') {
                    StringBuilder quoted = new StringBuilder();
                    i++;
                    while (i < n && line.charAt(i) != '"') {
                        if (line.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        quoted.append(line.charAt(i++));
                    }
                    i++; // closing quote
                    value = quoted.toString();
                    while (i < n && line.charAt(i) != ',') {
                        i++; // junk after a quoted string is ignored
                    }
                } else {
                    int valueStart = i;
                    while (i < n && line.charAt(i) != ',') {
                        i++;
                    }
                    value = line.substring(valueStart, i).trim();
                }
            }
            if (!name.isEmpty()) {
                String previous = directives.putIfAbsent(name, value);
                if (previous != null && !previous.equals(value)) {
                    conflicting.put(name, Boolean.TRUE);
                }
            }
        }
    }

    public boolean has(String directive) {
        return directives.containsKey(directive);
    }

    /** The directive's argument ("" when it has none), or null when absent. */
    public String argument(String directive) {
        return directives.get(directive);
    }

    /**
     * A delta-seconds argument: -1 when the directive is absent or its argument is not a number, 0 when it appears
     * twice with different values (RFC 9111 4.2.1: treat as stale), saturated at {@code Integer.MAX_VALUE} (1.7).
     */
    public long seconds(String directive) {
        String value = directives.get(directive);
        if (value == null || value.isEmpty()) {
            return -1;
        }
        if (conflicting.containsKey(directive)) {
            return 0;
        }
        long seconds = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            seconds = Math.min(Integer.MAX_VALUE, seconds * 10 + (c - '0'));
        }
        return seconds;
    }

    public boolean isEmpty() {
        return directives.isEmpty();
    }

    @Override
    public String toString() {
        return directives.toString();
    }
}
