package dev.caravan.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole folder of route files that passed validation, taken as one configuration: its files, its routes by id, and
 * the text of everything routes may depend on (configurations, templates, beans, and the properties file), so a
 * change there rebuilds every route.
 */
record RouteSet(Map<Path, String> files, Map<String, RouteSpec> routes, String shared) {

    static final RouteSet EMPTY = new RouteSet(Map.of(), Map.of(), "");

    RouteSet {
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
        routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
    }
}
