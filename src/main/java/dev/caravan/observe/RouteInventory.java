package dev.caravan.observe;

import dev.caravan.config.RouteReloader;
import dev.caravan.forward.BackendTarget;
import dev.caravan.forward.ForwardEndpoint;
import dev.caravan.listen.CaravanConfiguration;
import dev.caravan.listen.CaravanEndpoint;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.EndpointAware;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * The live routes as an operator sees them: for each route of the route files (by the id its author gave), where it
 * comes from, the listeners, host and path it takes, its steps (endpoint options left out: they may hold secrets) and
 * the backends of each forwarding step. Read from the live Camel routes, so what is shown is what runs.
 */
final class RouteInventory {

    /** One route; {@code pools} holds the origins of each {@code caravan-forward} step. */
    record RouteInfo(String id, String camelId, String source, List<String> listeners, String host, String path,
                     List<String> steps, List<List<String>> pools) {
    }

    record Snapshot(int generation, List<String> files, List<RouteInfo> routes) {
    }

    private final CamelContext context;

    RouteInventory(CamelContext context) {
        this.context = context;
    }

    Snapshot read(RouteReloader reloader) {
        RouteReloader.LiveView view;
        try {
            view = reloader.liveView();
        } catch (RuntimeException e) {
            // the reloader's thread is gone: shutting down (the admin listener answers until the very end)
            return new Snapshot(reloader.generation(), List.of(), List.of());
        }
        Map<String, Route> running = new LinkedHashMap<>();
        for (Route route : context.getRoutes()) {
            String id = GatewayMetrics.routeLabel(route.getRouteId());
            // during a swap the successor runs as id~gN beside the old one: show the successor
            if (!running.containsKey(id) || route.getRouteId().contains("~")) {
                running.put(id, route);
            }
        }
        List<RouteInfo> routes = new ArrayList<>();
        view.routeLocations().forEach((id, location) -> {
            Route route = running.get(id);
            routes.add(route == null ? new RouteInfo(id, null, location, List.of(), null, null, List.of(), List.of())
                    : describe(id, route, location));
        });
        return new Snapshot(view.generation(), view.files(), routes);
    }

    private RouteInfo describe(String id, Route route, String location) {
        List<String> listeners = List.of();
        String host = null;
        String path = null;
        if (route.getEndpoint() instanceof CaravanEndpoint caravan) {
            CaravanConfiguration c = caravan.getConfiguration();
            listeners = List.of(c.getListeners().split("\\s*,\\s*"));
            host = c.getHost();
            path = c.getPath();
        }
        List<String> steps = new ArrayList<>();
        if (context instanceof ModelCamelContext model) {
            RouteDefinition definition = model.getRouteDefinition(route.getRouteId());
            if (definition != null) {
                for (ProcessorDefinition<?> output : definition.getOutputs()) {
                    steps.add(step(output));
                }
            }
        }
        List<List<String>> pools = new ArrayList<>();
        Set<Processor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collectPools(route.navigate(), pools, seen);
        return new RouteInfo(id, route.getRouteId(), location, listeners, host, path, steps, pools);
    }

    /** A step as {@code to caravan-forward:http://a:1,http://b:2}, without its options; others by their EIP name. */
    private static String step(ProcessorDefinition<?> output) {
        if (output instanceof SendDefinition<?> send) {
            String uri = send.getEndpointUri();
            if (uri == null) {
                return output.getShortName();
            }
            int q = uri.indexOf('?');
            return output.getShortName() + " " + (q < 0 ? uri : uri.substring(0, q));
        }
        return output.getShortName();
    }

    private static void collectPools(Navigate<Processor> node, List<List<String>> pools, Set<Processor> seen) {
        if (node == null || !node.hasNext()) {
            return;
        }
        for (Processor processor : node.next()) {
            if (processor == null || !seen.add(processor)) {
                continue;
            }
            if (processor instanceof EndpointAware aware) {
                Endpoint endpoint = aware.getEndpoint();
                if (endpoint instanceof ForwardEndpoint forward) {
                    List<String> origins = new ArrayList<>();
                    for (String url : forward.getConfiguration().getTargets().split(",")) {
                        origins.add(BackendTarget.parse(url.trim()).origin());
                    }
                    pools.add(origins);
                }
            }
            if (processor instanceof Navigate<?> child) {
                @SuppressWarnings("unchecked")
                Navigate<Processor> next = (Navigate<Processor>) child;
                collectPools(next, pools, seen);
            }
        }
    }
}
