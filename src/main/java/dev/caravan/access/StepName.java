package dev.caravan.access;

/** The name in an access step's URI ({@code caravan-basic:admin}): shown in logs, and the realm of a challenge. */
final class StepName {

    private StepName() {
    }

    /** The name, if it is letters, digits, dots, dashes and underscores (so it can go in a quoted realm as it is). */
    static String require(String name, String scheme) {
        if (name == null || name.isEmpty() || !name.chars().allMatch(c -> c < 128
                && (Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_'))) {
            throw new IllegalArgumentException(scheme + ": needs a name of letters, digits, '.', '-' or '_', e.g. "
                    + scheme + ":partners, was '" + name + "'");
        }
        return name;
    }
}
