package dev.caravan.config;

import org.apache.camel.CamelContext;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/** Adds one route file's content to a context in camel-main's order: configurations, routes, templated routes. */
final class RouteFileLoader {

    private RouteFileLoader() {
    }

    static void load(CamelContext context, Path file, String content) throws Exception {
        Resource resource = ResourceHelper.fromString("file:" + file, content);
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource));
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteConfigurationsBuilder configurations) {
                context.addRoutesConfigurations(configurations);
            }
        }
        for (RoutesBuilder builder : builders) {
            context.addRoutes(builder);
        }
        for (RoutesBuilder builder : builders) {
            context.addTemplatedRoutes(builder);
        }
    }
}
