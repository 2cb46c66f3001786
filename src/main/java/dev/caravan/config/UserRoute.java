package dev.caravan.config;

import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;

import java.nio.file.Path;

/**
 * One route of a route file under the id its author gave it (or {@code <file>-route<n>} when it has none), with the
 * place and text of its YAML entry. Holds a Camel definition that can be added once, under any Camel id.
 */
record UserRoute(String id, Path file, int line, String text, RouteDefinition route,
                 TemplatedRouteDefinition templated) {

    String location() {
        return file + (line > 0 ? ":" + line : "");
    }

    /** Adds (and so starts) this route in {@code context} as {@code camelId}; a definition can be added once. */
    void addTo(ModelCamelContext context, String camelId) throws Exception {
        if (route != null) {
            route.setId(camelId);
            context.addRouteDefinition(route);
        } else {
            templated.setRouteId(camelId);
            context.addRouteFromTemplatedRoute(templated);
        }
    }
}
