package dev.caravan.access;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * A loaded API key file: the SHA-256 of each key (never the key itself) with a label. The file has one key a line,
 * {@code <sha256 hex> [label]}, with {@code #} comments; make a line with {@code printf %s "$KEY" | sha256sum}.
 */
final class ApiKeys {

    /** The file format, for {@link WatchedFiles}. */
    static final FileFormat<ApiKeys> FORMAT = new FileFormat<>() {
        @Override
        public String what() {
            return "API keys";
        }

        @Override
        public ApiKeys parse(Path file, byte[] content) throws FileFormatException {
            return ApiKeys.parse(file, content);
        }
    };

    private final Map<String, String> labelsByHash;

    private ApiKeys(Map<String, String> labelsByHash) {
        this.labelsByHash = labelsByHash;
    }

    static ApiKeys parse(Path file, byte[] content) throws FileFormatException {
        Map<String, String> labels = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = indexOfWhitespace(line);
            String hash = (space < 0 ? line : line.substring(0, space)).toLowerCase(java.util.Locale.ROOT);
            String label = space < 0 ? "" : line.substring(space).strip();
            if (hash.length() != 64 || !hash.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                // never echo the text: it may be a key pasted in by mistake
                throw new FileFormatException(file, i + 1, "expected the SHA-256 of a key (64 hex digits), found "
                        + hash.length() + " characters");
            }
            if (!label.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                throw new FileFormatException(file, i + 1, "a label may hold printable ASCII only");
            }
            Integer earlier = lineOf.putIfAbsent(hash, i + 1);
            if (earlier != null) {
                throw new FileFormatException(file, i + 1, "the same key as line " + earlier);
            }
            labels.put(hash, label.isEmpty() ? hash.substring(0, 12) : label);
        }
        return new ApiKeys(Map.copyOf(labels));
    }

    private static int indexOfWhitespace(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The label of a presented key, or null when it is not one of these (its label is the first 12 hex digits of its
     * hash when the file gave none). Keys are compared by their SHA-256, so timing says nothing about a stored key.
     */
    String labelOf(String presentedKey) {
        String hash = HexFormat.of().formatHex(WatchedFile.sha256(presentedKey.getBytes(StandardCharsets.UTF_8)));
        return labelsByHash.get(hash);
    }

    int size() {
        return labelsByHash.size();
    }
}
