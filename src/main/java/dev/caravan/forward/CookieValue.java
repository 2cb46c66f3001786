package dev.caravan.forward;

/** Reads one cookie's value from a {@code Cookie} request header. */
final class CookieValue {

    private CookieValue() {
    }

    static String of(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        for (String pair : cookieHeader.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                return pair.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
