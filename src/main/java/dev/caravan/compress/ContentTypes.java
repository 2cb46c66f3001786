package dev.caravan.compress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of media types worth compressing: exact ({@code application/json}), a whole type ({@code text/*}) or a
 * structured suffix ({@code application/*+json}). Parameters such as {@code charset} are ignored.
 */
final class ContentTypes {

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();

    ContentTypes(String list) {
        for (String item : list.split(",")) {
            String type = item.trim().toLowerCase(Locale.ROOT);
            if (type.isEmpty()) {
                continue;
            }
            if (type.endsWith("/*")) {
                prefixes.add(type.substring(0, type.length() - 1));
            } else if (type.contains("/*+")) {
                suffixes.add(type.replace("/*+", "/\u0000+")); // major type, a gap, then the suffix
            } else if (type.contains("/") && !type.contains("*")) {
                exact.add(type);
            } else {
                throw new IllegalArgumentException("caravan-compress types: '" + item.trim()
                        + "' is not a media type, type/* or type/*+suffix");
            }
        }
    }

    boolean matches(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        if (exact.contains(type)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (type.startsWith(prefix)) {
                return true;
            }
        }
        for (String pattern : suffixes) {
            int gap = pattern.indexOf('\u0000');
            if (type.startsWith(pattern.substring(0, gap)) && type.endsWith(pattern.substring(gap + 1))) {
                return true;
            }
        }
        return false;
    }
}
