package dev.caravan.config;

import org.apache.camel.CamelContext;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One YAML route file parsed against a context, taken through Camel's three steps separately so a whole folder can be
 * loaded as one configuration: every file's {@code routeConfiguration}s first, then every file's routes (which are
 * prepared against all configurations), then templated routes.
 */
final class RouteFile {

    private final Path path;
    private final String content;
    private final YamlItems items;
    private final List<RoutesBuilder> builders;
    private final List<RouteTemplateDefinition> templates = new ArrayList<>();
    private final List<UserRoute> routes = new ArrayList<>();

    private RouteFile(Path path, String content, List<RoutesBuilder> builders) {
        this.path = path;
        this.content = content;
        this.items = YamlItems.of(content);
        this.builders = builders;
    }

    /** Parses the YAML (bad syntax or an unknown step fails here). */
    static RouteFile parse(CamelContext context, Path path, String content) throws Exception {
        Resource resource = ResourceHelper.fromString("file:" + path, content);
        return new RouteFile(path, content,
                new ArrayList<>(PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource))));
    }

    Path path() {
        return path;
    }

    String content() {
        return content;
    }

    YamlItems items() {
        return items;
    }

    /** Step 1: adds the file's route configurations to the context; returns them. */
    List<RouteConfigurationDefinition> addConfigurations(ModelCamelContext context) throws Exception {
        Set<RouteConfigurationDefinition> before = identitySet(context.getRouteConfigurationDefinitions());
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteConfigurationsBuilder configurations) {
                context.addRoutesConfigurations(configurations);
            }
        }
        return context.getRouteConfigurationDefinitions().stream().filter(d -> !before.contains(d)).toList();
    }

    /** The configurations this file declares, without adding them anywhere (to name both sides of an id clash). */
    List<RouteConfigurationDefinition> declaredConfigurations() {
        List<RouteConfigurationDefinition> declared = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof org.apache.camel.builder.RouteConfigurationBuilder b) {
                declared.addAll(b.getRouteConfigurationCollection().getRouteConfigurations());
            }
        }
        return declared;
    }

    /**
     * Step 2: runs the file's route DSL: routes are built and prepared against the configurations the context holds
     * now, and every route gets its id (the author's, or a stable one from the file name and position).
     */
    List<UserRoute> configureRoutes(CamelContext context) throws Exception {
        List<RouteDefinition> definitions = new ArrayList<>();
        List<TemplatedRouteDefinition> templated = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routeBuilder) {
                definitions.addAll(routeBuilder.configureRoutes(context).getRoutes());
                templated.addAll(routeBuilder.getTemplatedRouteCollection().getTemplatedRoutes());
                templates.addAll(routeBuilder.getRouteTemplateCollection().getRouteTemplates());
            }
        }
        List<YamlItems.Item> routeItems = items.routes();
        List<YamlItems.Item> templatedItems = items.templatedRoutes();
        for (int i = 0; i < definitions.size(); i++) {
            RouteDefinition route = definitions.get(i);
            YamlItems.Item item = routeItems.size() == definitions.size() ? routeItems.get(i) : null;
            String id = route.getId() != null ? route.getId() : stem() + "-route" + (i + 1);
            route.setId(id);
            if (route.getOutputs().isEmpty() && route.getInput() != null
                    && route.getInput().getEndpointUri().startsWith("caravan:")) {
                // a route that only answers through its endpoint (redirectToHttps) needs no step; Camel wants one
                route.addOutput(new org.apache.camel.model.SetPropertyDefinition("CaravanNoSteps",
                        new org.apache.camel.model.language.ConstantExpression("true")));
            }
            routes.add(new UserRoute(id, path, item != null ? item.line() : route.getLineNumber(),
                    item != null ? item.text() : content, route, null));
        }
        for (int i = 0; i < templated.size(); i++) {
            TemplatedRouteDefinition route = templated.get(i);
            YamlItems.Item item = templatedItems.size() == templated.size() ? templatedItems.get(i) : null;
            String id = route.getRouteId() != null ? route.getRouteId() : stem() + "-templated" + (i + 1);
            route.setRouteId(id);
            routes.add(new UserRoute(id, path, item != null ? item.line() : 0,
                    item != null ? item.text() : content, null, route));
        }
        return routes;
    }

    /** Step 3 (whole-file loading, as for validation): adds templates and routes to the context. */
    void addRoutesTo(CamelContext context) throws Exception {
        for (RoutesBuilder builder : builders) {
            context.addRoutes(builder);
        }
    }

    /** Step 4: adds the templated routes. */
    void addTemplatedRoutesTo(CamelContext context) throws Exception {
        for (RoutesBuilder builder : builders) {
            context.addTemplatedRoutes(builder);
        }
    }

    /** The route templates the file declares (after {@link #configureRoutes}). */
    List<RouteTemplateDefinition> templates() {
        return templates;
    }

    /** The routes (after {@link #configureRoutes}). */
    List<UserRoute> routes() {
        return routes;
    }

    UserRoute route(String id) {
        return routes.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("No route " + id + " in " + path));
    }

    /** The line of a template, for messages. */
    int lineOf(RouteTemplateDefinition template) {
        return items.items().stream().filter(i -> i.kind().equals("routeTemplate") || i.kind().equals("route-template"))
                .filter(i -> i.text().contains(template.getId())).mapToInt(YamlItems.Item::line).findFirst()
                .orElse(template.getLineNumber());
    }

    /** The line of a configuration, for messages. */
    int lineOf(RouteConfigurationDefinition configuration) {
        return items.items().stream()
                .filter(i -> i.kind().equals("routeConfiguration") || i.kind().equals("route-configuration"))
                .filter(i -> configuration.getId() == null || i.text().contains(configuration.getId()))
                .mapToInt(YamlItems.Item::line).findFirst().orElse(configuration.getLineNumber());
    }

    private String stem() {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static <T> Set<T> identitySet(List<T> list) {
        Set<T> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(list);
        return set;
    }
}
