package dev.caravan.config;

import java.nio.file.Path;

/** Where a route of the live configuration comes from: its id, its file and line, and the text of its YAML entry. */
record RouteSpec(String id, Path file, int line, String text) {

    String location() {
        return file + (line > 0 ? ":" + line : "");
    }
}
