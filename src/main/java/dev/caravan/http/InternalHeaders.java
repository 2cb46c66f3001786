package dev.caravan.http;

/**
 * Headers that only mean something inside the gateway: Camel's ({@code Camel*}) and Caravan's own
 * ({@code Caravan*}). They never cross the wire in either direction; ones that a client sends are dropped on the way in
 * so a request cannot steer routing by forging them.
 */
public final class InternalHeaders {

    private InternalHeaders() {
    }

    public static boolean isInternal(CharSequence name) {
        return startsWithIgnoreCase(name, "camel") || startsWithIgnoreCase(name, "caravan");
    }

    private static boolean startsWithIgnoreCase(CharSequence name, String prefix) {
        int n = prefix.length();
        if (name.length() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (Character.toLowerCase(name.charAt(i)) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
