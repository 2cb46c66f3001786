package dev.caravan.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tells a mistyped {@code caravan.*} setting apart from a known one, and names the closest known one (by edit
 * distance), so a typo such as {@code caravan.routes.reloadIntervall} is not silently ignored.
 */
final class SettingNames {

    private static final String PREFIX = "caravan.";

    private final Set<String> known;

    SettingNames(Set<String> known) {
        this.known = known;
    }

    /**
     * One warning per unknown {@code caravan.*} name among {@code names} (name → where it was set). Environment
     * variables ({@code CARAVAN_HTTP_PORT}) are matched the way Camel maps them: case, dots and underscores ignored.
     */
    List<String> warnings(Map<String, String> names) {
        List<String> warnings = new ArrayList<>();
        names.forEach((name, where) -> {
            if (isCaravan(name) && !isKnown(name)) {
                warnings.add("Unknown setting " + name + " (" + where + ") is ignored; did you mean " + closest(name)
                        + "?");
            }
        });
        return warnings;
    }

    boolean isKnown(String name) {
        String normalised = normalise(name);
        return known.stream().anyMatch(k -> normalise(k).equals(normalised));
    }

    static boolean isCaravan(String name) {
        return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                || name.regionMatches(true, 0, "CARAVAN_", 0, PREFIX.length());
    }

    String closest(String name) {
        String normalised = normalise(name);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(normalised, normalise(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replace(".", "").replace("_", "").replace("-", "");
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
