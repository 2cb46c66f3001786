package dev.caravan.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The one meaning of a request path, used for routing, access rules, cache keys and logs (the backend still gets the
 * client's bytes): percent-encoded unreserved characters decoded, other escapes in upper case, non-ASCII bytes
 * percent-encoded, {@code ;parameters} removed from segments, empty segments merged (an option), and dot-segments
 * resolved (RFC 3986 §5.2.4). Paths that different servers would read differently are refused instead of guessed at:
 * a backslash, an encoded slash or backslash ({@code %2F}, {@code %5C}, unless allowed), an encoded NUL, a doubly
 * encoded dot or slash ({@code %252e}), a malformed escape, and any path that climbs above the root.
 */
public final class PathCanonicalizer {

    private final boolean mergeSlashes;
    private final boolean allowEncodedSlashes;

    /**
     * @param mergeSlashes        {@code //} counts as {@code /} (as most servers read it)
     * @param allowEncodedSlashes {@code %2F}/{@code %5C} are kept as ordinary characters of a segment instead of being
     *                            refused (for applications that use them, such as {@code group%2Fproject} ids)
     */
    public PathCanonicalizer(boolean mergeSlashes, boolean allowEncodedSlashes) {
        this.mergeSlashes = mergeSlashes;
        this.allowEncodedSlashes = allowEncodedSlashes;
    }

    /** A path that cannot be given one meaning; the message says why (for logs). */
    public static final class InvalidPathException extends IllegalArgumentException {
        InvalidPathException(String reason) {
            super(reason, null);
        }
    }

    /** The canonical form of {@code rawPath} (the path part of a target, bytes as ISO-8859-1 chars). */
    public String canonical(String rawPath) {
        if (rawPath.equals("*") || rawPath.isEmpty()) {
            return rawPath.isEmpty() ? "/" : rawPath;
        }
        if (isAlreadyCanonical(rawPath)) {
            return rawPath; // the usual request path: nothing to decode, drop or merge, so no copy of it is made
        }
        String decoded = decodeUnreserved(rawPath);
        List<String> segments = new ArrayList<>();
        boolean trailingSlash = decoded.endsWith("/");
        int start = decoded.startsWith("/") ? 1 : 0;
        String[] parts = decoded.substring(start).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String segment = parts[i];
            int semicolon = segment.indexOf(';');
            if (semicolon >= 0) {
                segment = segment.substring(0, semicolon); // matrix parameters: servers like Tomcat drop them
            }
            boolean last = i == parts.length - 1;
            if (segment.equals(".")) {
                trailingSlash |= last;
            } else if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw new InvalidPathException("the path climbs above the root");
                }
                segments.remove(segments.size() - 1);
                trailingSlash |= last;
            } else if (segment.isEmpty()) {
                if (!mergeSlashes && !last) {
                    segments.add("");
                }
            } else {
                segments.add(segment);
            }
        }
        StringBuilder path = new StringBuilder(decoded.length() + 1);
        for (String segment : segments) {
            path.append('/').append(segment);
        }
        if (path.length() == 0 || (trailingSlash && path.charAt(path.length() - 1) != '/')) {
            path.append('/');
        }
        return path.toString();
    }

    /**
     * True if {@link #canonical} would give {@code raw} back unchanged: it starts with a slash and has no escape,
     * backslash, matrix parameter, non-ASCII byte, empty segment or segment starting with a dot.
     */
    private static boolean isAlreadyCanonical(String raw) {
        if (raw.charAt(0) != '/') {
            return false;
        }
        char previous = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c == '\\' || c == ';' || c >= 0x80 || (previous == '/' && (c == '/' || c == '.'))) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    private String decodeUnreserved(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                throw new InvalidPathException("a backslash in the path");
            }
            if (c >= 0x80) {
                appendEscape(out, c); // one form for raw and encoded non-ASCII bytes
                continue;
            }
            if (c != '%') {
                out.append(c);
                continue;
            }
            int value = hexByte(raw, i + 1);
            if (value < 0) {
                throw new InvalidPathException("a malformed percent-escape in the path");
            }
            if (value == 0) {
                throw new InvalidPathException("an encoded NUL in the path");
            }
            if (value == '/' || value == '\\') {
                if (!allowEncodedSlashes) {
                    throw new InvalidPathException("an encoded slash or backslash in the path");
                }
                appendEscape(out, (char) value);
            } else if (value == '%' && isDoubleEncodedSeparator(raw, i + 3)) {
                throw new InvalidPathException("a doubly encoded dot, slash or NUL in the path");
            } else if (isUnreserved(value)) {
                out.append((char) value);
            } else {
                appendEscape(out, (char) value);
            }
            i += 2;
        }
        return out.toString();
    }

    /** After {@code %25}: {@code 2e}, {@code 2f}, {@code 5c} or {@code 00}, which a second decoding turns into . / \ NUL. */
    private static boolean isDoubleEncodedSeparator(String raw, int at) {
        if (at + 1 >= raw.length()) {
            return false;
        }
        String next = raw.substring(at, at + 2).toLowerCase(java.util.Locale.ROOT);
        return next.equals("2e") || next.equals("2f") || next.equals("5c") || next.equals("00");
    }

    private static int hexByte(String raw, int at) {
        if (at + 1 >= raw.length()) {
            return -1;
        }
        int high = Character.digit(raw.charAt(at), 16);
        int low = Character.digit(raw.charAt(at + 1), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static void appendEscape(StringBuilder out, char c) {
        out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
                .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
    }
}
