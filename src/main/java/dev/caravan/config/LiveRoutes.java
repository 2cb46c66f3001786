package dev.caravan.config;

import dev.caravan.listen.Listeners;
import dev.caravan.listen.RequestHandler;
import org.apache.camel.Route;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The routes running in the live context, by the ids their authors gave them, and the retired ones still finishing
 * their requests. A changed {@code caravan:} route is swapped without a gap: its successor starts beside it and wins
 * dispatch at once (newest binding wins), then the old one is retired, i.e. unbound but left started until no exchange
 * is in it (a Camel route cannot be stopped under its exchanges without failing them). Route ids are unique per
 * context, so a successor whose id is still held by a draining route runs as {@code id~g<generation>} until the old
 * one is gone, then a fresh copy under its own id takes over the same way. Not thread-safe: one thread (the
 * reloader's) calls everything.
 */
final class LiveRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(LiveRoutes.class);
    /** How long a route that is not a Caravan route (no side-by-side swap) gets to finish its exchanges. */
    private static final long IN_PLACE_STOP_SECONDS = 10;
    /**
     * How long a retired route stays in Camel at least: an event loop that matched it just before it was unbound
     * hands it the request a moment later, and that request must still find the route started.
     */
    private static final long RETIRED_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ModelCamelContext context;
    private final Listeners listeners;
    private final long drainTimeoutNanos;
    private final Map<String, Incarnation> serving = new LinkedHashMap<>();
    private final List<Incarnation> retired = new ArrayList<>();
    private List<RouteConfigurationDefinition> configurations = new ArrayList<>();
    private List<RouteTemplateDefinition> templates = new ArrayList<>();
    private RouteSet set = RouteSet.EMPTY;
    /** The send interceptors a shared change took away (to put back on roll-back), or null. */
    private SendInterceptors interceptorsBefore;

    LiveRoutes(ModelCamelContext context, Listeners listeners, long drainTimeoutMillis) {
        this.context = context;
        this.listeners = listeners;
        this.drainTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(drainTimeoutMillis);
    }

    /** One running copy of a route: under its own id or a temporary one, with its request handler if it has one. */
    private static final class Incarnation {
        final String id;
        final String camelId;
        final int generation;
        final RequestHandler handler;
        long retiredAt;
        boolean inCamel = true;
        boolean cut;
        boolean ownIdFailed;

        Incarnation(String id, String camelId, int generation, RequestHandler handler) {
            this.id = id;
            this.camelId = camelId;
            this.generation = generation;
            this.handler = handler;
        }
    }

    /** What a swap did, for the log line. */
    record Swap(List<String> added, List<String> changed, List<String> removed) {
    }

    RouteSet set() {
        return set;
    }

    /** True for a Camel route id this folder's routes run under (serving, temporary or retired). */
    boolean owns(String camelId) {
        return serving.values().stream().anyMatch(i -> i.camelId.equals(camelId))
                || retired.stream().anyMatch(i -> i.inCamel && i.camelId.equals(camelId));
    }

    /** Retired routes that still hold requests. */
    int retiredCount() {
        return retired.size();
    }

    /** True when every route runs under its own id and nothing retired is left. */
    boolean settled() {
        return retired.isEmpty() && serving.values().stream().allMatch(i -> i.camelId.equals(i.id) || i.ownIdFailed);
    }

    /**
     * Makes {@code next} the live configuration. New and changed routes start first (and take their requests); only
     * when all started are the ones they replace retired and removed routes retired. If any fails to start, what this
     * call started is retired again and exactly the previous routes keep serving.
     *
     * @param sharedChanged configurations, templates, beans or properties changed: every route is rebuilt
     */
    Swap apply(RouteSet next, boolean sharedChanged, int generation) throws RouteFileException {
        List<String> addedIds = new ArrayList<>();
        List<String> changedIds = new ArrayList<>();
        for (RouteSpec spec : next.routes().values()) {
            RouteSpec before = set.routes().get(spec.id());
            if (before == null) {
                addedIds.add(spec.id());
            } else if (sharedChanged || !before.text().equals(spec.text())) {
                changedIds.add(spec.id());
            }
        }
        List<String> removedIds = set.routes().keySet().stream().filter(id -> !next.routes().containsKey(id)).toList();

        List<RouteConfigurationDefinition> oldConfigurations = configurations;
        List<RouteTemplateDefinition> oldTemplates = templates;
        Map<Path, RouteFile> parsed = new HashMap<>();
        List<Incarnation> started = new ArrayList<>();
        List<Incarnation> stoppedInPlace = new ArrayList<>();
        boolean nothingServing = serving.isEmpty();
        RouteSpec starting = null;
        interceptorsBefore = null;
        try {
            if (sharedChanged) {
                replaceShared(next, parsed);
            }
            for (String id : concat(addedIds, changedIds)) {
                RouteSpec spec = next.routes().get(id);
                UserRoute route = file(parsed, next, spec.file()).route(id);
                Incarnation old = serving.get(id);
                if (old != null && old.handler == null) {
                    // not a Caravan route (a netty-http demo backend, a timer): it cannot run beside its successor
                    removeFromCamel(old.camelId, IN_PLACE_STOP_SECONDS);
                    old.inCamel = false;
                    stoppedInPlace.add(old);
                }
                String camelId = context.getRoute(id) == null ? id : id + "~g" + generation;
                starting = spec;
                started.add(start(route, camelId, generation));
                starting = null;
            }
        } catch (Exception e) {
            String outcome = rollBack(started, stoppedInPlace, oldConfigurations, oldTemplates);
            // which route, where: a port taken by another process names no file of its own
            String where = starting == null ? ""
                    : starting.location() + ": route " + starting.id() + " did not start: ";
            // at the first start (or with every route removed) there are no previous routes to keep serving
            throw new RouteFileException(nothingServing ? where + RouteValidator.rootMessage(e)
                    : "Applying the change failed: " + where + RouteValidator.rootMessage(e) + "; " + outcome, e);
        }
        for (Incarnation incarnation : started) {
            Incarnation old = serving.put(incarnation.id, incarnation);
            if (old != null && old.inCamel) {
                retire(old);
            }
        }
        for (String id : removedIds) {
            Incarnation old = serving.remove(id);
            if (old.handler != null) {
                retire(old);
            } else {
                removeQuietly(old.camelId);
            }
        }
        set = next;
        drain();
        return new Swap(addedIds, changedIds, removedIds);
    }

    /** Swaps the live route configurations and templates for the new set's (routes built after this see them). */
    private void replaceShared(RouteSet next, Map<Path, RouteFile> parsed) throws Exception {
        removeShared();
        interceptorsBefore = resetSendInterceptors();
        configurations = new ArrayList<>();
        templates = new ArrayList<>();
        for (Map.Entry<Path, String> file : next.files().entrySet()) {
            RouteFile routeFile = RouteFile.parse(context, file.getKey(), file.getValue());
            configurations.addAll(routeFile.addConfigurations(context));
            parsed.put(file.getKey(), routeFile);
        }
        for (RouteFile routeFile : parsed.values()) {
            routeFile.configureRoutes(context);
            context.addRouteTemplateDefinitions(routeFile.templates());
            templates.addAll(routeFile.templates());
        }
    }

    /**
     * Takes this set's configurations and templates out of the model. By identity: Camel's removal by id would give
     * an id-less configuration a generated id, which stops it applying to every route.
     */
    private void removeShared() throws Exception {
        context.getRouteConfigurationDefinitions().removeIf(d -> configurations.stream().anyMatch(c -> c == d));
        for (RouteTemplateDefinition template : templates) {
            context.removeRouteTemplateDefinition(template);
        }
    }

    private SendInterceptors resetSendInterceptors() {
        try {
            return SendInterceptors.reset(context);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Cannot reset Camel's send interceptors ({}): a changed interceptSendToEndpoint applies to "
                    + "endpoints used for the first time only, until a restart", e.toString());
            return null;
        }
    }

    /** The file parsed in the live context, its routes built against the live configurations. */
    private RouteFile file(Map<Path, RouteFile> parsed, RouteSet from, Path path) throws Exception {
        RouteFile file = parsed.get(path);
        if (file == null) {
            file = RouteFile.parse(context, path, from.files().get(path));
            file.configureRoutes(context);
            parsed.put(path, file);
        }
        return file;
    }

    private Incarnation start(UserRoute route, String camelId, int generation) throws Exception {
        try {
            route.addTo(context, camelId);
            Route started = context.getRoute(camelId);
            if (started == null || !context.getRouteController().getRouteStatus(camelId).isStarted()) {
                throw new IllegalStateException("Camel does not report it started");
            }
            return new Incarnation(route.id(), camelId, generation,
                    started.getConsumer() instanceof RequestHandler handler ? handler : null);
        } catch (Exception e) {
            removeQuietly(camelId);
            throw e;
        }
    }

    /** Undoes a failed apply: what it started leaves dispatch (the old routes are visible again at once). */
    private String rollBack(List<Incarnation> started, List<Incarnation> stoppedInPlace,
                            List<RouteConfigurationDefinition> oldConfigurations,
                            List<RouteTemplateDefinition> oldTemplates) {
        for (Incarnation incarnation : started) {
            if (incarnation.handler != null) {
                retire(incarnation);
            } else {
                removeQuietly(incarnation.camelId);
            }
        }
        List<String> lost = new ArrayList<>();
        try {
            if (interceptorsBefore != null) {
                interceptorsBefore.restore(context);
            }
            if (configurations != oldConfigurations) {
                removeShared();
                oldConfigurations.forEach(context::addRouteConfiguration);
                context.addRouteTemplateDefinitions(oldTemplates);
                configurations = oldConfigurations;
                templates = oldTemplates;
            }
        } catch (Exception e) {
            lost.add("route configurations (" + RouteValidator.rootMessage(e) + ")");
        }
        Map<Path, RouteFile> parsed = new HashMap<>();
        for (Incarnation old : stoppedInPlace) {
            try {
                RouteSpec spec = set.routes().get(old.id);
                serving.put(old.id, start(file(parsed, set, spec.file()).route(old.id), old.id, old.generation));
            } catch (Exception e) {
                serving.remove(old.id);
                lost.add("route " + old.id + " (" + RouteValidator.rootMessage(e) + ")");
            }
        }
        drain();
        return lost.isEmpty() ? "the previous routes keep serving"
                : "the previous routes keep serving except " + String.join(", ", lost) + ", which could not be restored";
    }

    private void retire(Incarnation incarnation) {
        listeners.retire(incarnation.handler);
        incarnation.retiredAt = System.nanoTime();
        retired.add(incarnation);
    }

    /**
     * One pass of the background drain: a retired route leaves Camel once no exchange is in it, and is forgotten once
     * its last response is written; after the drain timeout its remaining clients are cut off. A route running under a
     * temporary id takes its own id back once that is free.
     */
    void drain() {
        removeIdle();
        for (Incarnation incarnation : new ArrayList<>(serving.values())) {
            if (!incarnation.camelId.equals(incarnation.id) && !incarnation.ownIdFailed
                    && context.getRoute(incarnation.id) == null) {
                takeOwnIdBack(incarnation);
            }
        }
        removeIdle();
    }

    private void removeIdle() {
        long now = System.nanoTime();
        for (Iterator<Incarnation> it = retired.iterator(); it.hasNext(); ) {
            Incarnation incarnation = it.next();
            if (incarnation.inCamel && incarnation.handler.inflight() == 0
                    && now - incarnation.retiredAt >= RETIRED_GRACE_NANOS) {
                removeQuietly(incarnation.camelId);
                incarnation.inCamel = false;
            }
            if (!incarnation.inCamel && incarnation.handler.open() == 0) {
                it.remove();
                LOG.debug("Retired route {} (generation {}) finished its requests", incarnation.camelId,
                        incarnation.generation);
            } else if (!incarnation.cut && now - incarnation.retiredAt > drainTimeoutNanos) {
                incarnation.cut = true;
                LOG.warn("Retired route {} (generation {}) still had {} open request(s) after the drain timeout "
                        + "({} ms); closing their connections", incarnation.camelId, incarnation.generation,
                        incarnation.handler.open(), TimeUnit.NANOSECONDS.toMillis(drainTimeoutNanos));
                incarnation.handler.abortOpen();
            }
        }
    }

    private void takeOwnIdBack(Incarnation temporary) {
        RouteSpec spec = set.routes().get(temporary.id);
        try {
            RouteFile file = RouteFile.parse(context, spec.file(), set.files().get(spec.file()));
            file.configureRoutes(context);
            Incarnation own = start(file.route(temporary.id), temporary.id, temporary.generation);
            serving.put(temporary.id, own);
            retire(temporary);
        } catch (Exception e) {
            temporary.ownIdFailed = true;
            LOG.warn("Route {} keeps running as {}: could not start it under its own id: {}", temporary.id,
                    temporary.camelId, RouteValidator.rootMessage(e));
        }
    }

    private void removeQuietly(String camelId) {
        try {
            removeFromCamel(camelId, IN_PLACE_STOP_SECONDS);
        } catch (Exception e) {
            LOG.warn("Could not remove route {}: {}", camelId, RouteValidator.rootMessage(e));
        }
    }

    /** Stops (gracefully, which is instant for a route with no exchange in it) and removes a route and its model. */
    private void removeFromCamel(String camelId, long timeoutSeconds) throws Exception {
        RouteDefinition definition = context.getRouteDefinition(camelId);
        if (context.getRoute(camelId) != null) {
            context.getRouteController().stopRoute(camelId, timeoutSeconds, TimeUnit.SECONDS);
            context.removeRoute(camelId);
        }
        if (definition != null) {
            context.removeRouteDefinition(definition);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
