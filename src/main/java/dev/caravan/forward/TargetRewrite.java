package dev.caravan.forward;

/**
 * Builds the request target sent to the backend from the one the client sent: optionally drops a path prefix, puts
 * the backend's base path in front, and otherwise keeps every byte (no decoding, so {@code %2F}, {@code +},
 * {@code ;} and empty queries survive).
 */
public final class TargetRewrite {

    private final String stripPrefix;

    public TargetRewrite(String stripPrefix) {
        String prefix = stripPrefix == null ? "" : stripPrefix.trim();
        this.stripPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    public String apply(String rawTarget, String basePath) {
        if (rawTarget.equals("*")) {
            return rawTarget;
        }
        int q = rawTarget.indexOf('?');
        String path = q < 0 ? rawTarget : rawTarget.substring(0, q);
        String rest = q < 0 ? "" : rawTarget.substring(q);
        if (!stripPrefix.isEmpty() && path.startsWith(stripPrefix)
                && (path.length() == stripPrefix.length() || path.charAt(stripPrefix.length()) == '/')) {
            path = path.substring(stripPrefix.length());
        }
        if (path.isEmpty()) {
            path = "/";
        }
        return basePath + path + rest;
    }
}
