package dev.caravan.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The top-level entries of a Camel YAML file as text ({@code - route: ...}, {@code - routeConfiguration: ...}), with
 * the line each starts on. Comparing an entry's text between two versions of a file tells whether that route changed
 * without comparing Camel models, and its first key tells whether it is a route or something routes depend on.
 */
record YamlItems(List<Item> items) {

    /** One top-level entry: its first key ({@code route}, {@code beans}, ...), first line (1-based) and text. */
    record Item(String kind, int line, String text) {

        boolean isRoute() {
            return kind.equals("route") || kind.equals("from");
        }

        boolean isTemplatedRoute() {
            return kind.equals("templatedRoute") || kind.equals("templated-route");
        }
    }

    static YamlItems of(String content) {
        String[] lines = content.split("\n", -1);
        String indent = null;
        List<Item> items = new ArrayList<>();
        int start = -1;
        StringBuilder text = new StringBuilder();
        String kind = "";
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String stripped = line.strip();
            if (indent == null && stripped.startsWith("-")) {
                indent = line.substring(0, line.indexOf('-'));
            }
            boolean startsItem = indent != null && line.startsWith(indent + "-")
                    && (line.length() == indent.length() + 1 || line.charAt(indent.length() + 1) == ' ');
            if (startsItem) {
                if (start >= 0) {
                    items.add(new Item(kind, start, text.toString().stripTrailing()));
                }
                start = i + 1;
                text.setLength(0);
                kind = firstKey(line.substring(indent.length() + 1).strip());
            }
            if (start >= 0) {
                text.append(line).append('\n');
            }
        }
        if (start >= 0) {
            items.add(new Item(kind, start, text.toString().stripTrailing()));
        }
        return new YamlItems(items);
    }

    private static String firstKey(String rest) {
        int colon = rest.indexOf(':');
        String key = colon < 0 ? rest : rest.substring(0, colon);
        return key.replace("\"", "").replace("'", "").strip();
    }

    List<Item> routes() {
        return items.stream().filter(Item::isRoute).toList();
    }

    List<Item> templatedRoutes() {
        return items.stream().filter(Item::isTemplatedRoute).toList();
    }

    /** Entries that are not routes (configurations, templates, beans, error handlers...): routes may depend on them. */
    List<Item> shared() {
        return items.stream().filter(i -> !i.isRoute() && !i.isTemplatedRoute()).toList();
    }
}
