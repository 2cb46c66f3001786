package dev.caravan.config;

import dev.caravan.listen.Listeners;
import dev.caravan.listen.RequestHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Caravan's route reload, used instead of camel-main's (which in 4.18.0 unbinds ports and wedges after one bad file).
 * It watches one folder of YAML route files; on a change it validates the whole new set first, and only then swaps the
 * routes of the changed files. During the swap the listeners hold new requests for a moment (they stay bound), the
 * old routes finish what they started, and the new routes take over. An invalid set is rejected as a whole with its
 * file and line, and the old routes keep serving.
 */
public final class RouteReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);

    private final CamelContext context;
    private final Path dir;
    private final Listeners listeners;
    private final long drainTimeoutMillis;
    private final RouteValidator validator;
    private final Map<Path, LoadedFile> loaded = new HashMap<>();
    private Map<Path, String> rejected;
    private ScheduledExecutorService watcher;
    private volatile int generation;
    private volatile String lastError;

    /** {@code builtIn} makes fresh copies of the routes and templates that come from code (for validation). */
    public RouteReloader(CamelContext context, Path dir, Listeners listeners, long drainTimeoutMillis,
                         Supplier<List<RoutesBuilder>> builtIn) {
        this.context = context;
        this.dir = dir;
        this.listeners = listeners;
        this.drainTimeoutMillis = drainTimeoutMillis;
        this.validator = new RouteValidator(context, builtIn);
    }

    /** Loads the folder at start-up; an invalid file stops the start with its file and line. */
    public synchronized void loadInitial() throws RouteFileException {
        Map<Path, String> files = RouteFiles.read(dir);
        if (files.isEmpty()) {
            LOG.warn("No route files (*.yaml) in {}: every request will get 404", dir.toAbsolutePath());
        }
        validator.validate(files);
        apply(files);
    }

    /** Polls the folder for changes (content, not timestamps, so bind mounts and editors' tricks are seen). */
    public void watch(long intervalMillis) {
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-route-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.error("Route reload check failed: {}", e.toString(), e);
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        LOG.info("Watching {} for route changes every {} ms", dir.toAbsolutePath(), intervalMillis);
    }

    /** Applies the folder's current content if it changed and is valid. Returns true if routes were swapped. */
    public synchronized boolean reloadIfChanged() {
        Map<Path, String> files = RouteFiles.read(dir);
        if (files.equals(currentContents()) || files.equals(rejected)) {
            return false;
        }
        try {
            validator.validate(files);
        } catch (RouteFileException e) {
            rejected = files;
            lastError = e.getMessage();
            LOG.error("Rejected route change, previous routes (generation {}) keep serving: {}", generation,
                    e.getMessage());
            return false;
        }
        try {
            apply(files);
            rejected = null;
            lastError = null;
            return true;
        } catch (RouteFileException e) {
            rejected = files;
            lastError = e.getMessage();
            LOG.error("Route change failed while applying: {}", e.getMessage());
            return false;
        }
    }

    public int generation() {
        return generation;
    }

    /** The last rejected change's error, or null if the last change applied. */
    public String lastError() {
        return lastError;
    }

    private Map<Path, String> currentContents() {
        Map<Path, String> contents = new HashMap<>();
        loaded.forEach((path, file) -> contents.put(path, file.content));
        return contents;
    }

    private void apply(Map<Path, String> files) throws RouteFileException {
        long started = System.nanoTime();
        List<Path> removed = loaded.keySet().stream().filter(p -> !files.containsKey(p)).sorted().toList();
        List<Path> changed = files.keySet().stream()
                .filter(p -> !loaded.containsKey(p) || !Objects.equals(loaded.get(p).content, files.get(p)))
                .sorted().toList();
        Set<String> outgoing = new LinkedHashSet<>();
        removed.forEach(p -> outgoing.addAll(loaded.get(p).routeIds));
        changed.stream().filter(loaded::containsKey).forEach(p -> outgoing.addAll(loaded.get(p).routeIds));

        Map<Path, LoadedFile> previous = new HashMap<>();
        Set<String> routesBefore = routeIds();
        listeners.holdAll();
        try {
            drain(outgoing);
            for (Path path : concat(removed, changed)) {
                LoadedFile old = loaded.remove(path);
                if (old != null) {
                    previous.put(path, old);
                    unload(old);
                }
            }
            for (Path path : changed) {
                loaded.put(path, load(path, files.get(path)));
            }
        } catch (Exception e) {
            restore(previous, changed, routesBefore, outgoing);
            throw new RouteFileException("Applying route files failed, previous routes restored: "
                    + RouteValidator.rootMessage(e), e);
        } finally {
            listeners.releaseAll();
        }
        generation++;
        LOG.info("Routes generation {} live in {} ms: {} route(s) from {} file(s){}{}", generation,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                loaded.values().stream().mapToInt(f -> f.routeIds.size()).sum(), loaded.size(),
                changed.isEmpty() ? "" : "; changed " + names(changed),
                removed.isEmpty() ? "" : "; removed " + names(removed));
    }

    /**
     * A change passed validation but failed going live (say a route could not start): take out whatever it added and
     * put the previous files' routes back, so the gateway serves what it served before.
     */
    private void restore(Map<Path, LoadedFile> previous, List<Path> changed, Set<String> routesBefore,
                         Set<String> outgoing) {
        try {
            for (Path path : changed) {
                LoadedFile partial = loaded.remove(path);
                if (partial != null) {
                    unload(partial);
                }
            }
            Set<String> stray = routeIds();
            stray.removeAll(routesBefore);
            stray.removeAll(outgoing);
            unload(new LoadedFile("", stray, Set.of()));
            for (Map.Entry<Path, LoadedFile> old : previous.entrySet()) {
                loaded.put(old.getKey(), load(old.getKey(), old.getValue().content));
            }
        } catch (Exception e) {
            LOG.error("Could not restore the previous routes after a failed change: {}", e.toString(), e);
        }
    }

    /** Waits until the outgoing routes have answered the requests they hold (bounded by the drain timeout). */
    private void drain(Set<String> routeIds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainTimeoutMillis);
        while (System.nanoTime() < deadline) {
            int busy = 0;
            for (String id : routeIds) {
                Route route = context.getRoute(id);
                if (route != null && route.getConsumer() instanceof RequestHandler handler) {
                    busy += handler.inflight();
                }
            }
            if (busy == 0) {
                return;
            }
            Thread.sleep(1);
        }
        LOG.warn("Drain timeout: routes {} still had requests in flight after {} ms", routeIds, drainTimeoutMillis);
    }

    private LoadedFile load(Path path, String content) throws Exception {
        ModelCamelContext model = (ModelCamelContext) context;
        Set<String> routesBefore = routeIds();
        Set<String> templatesBefore = templateIds(model);
        RouteFileLoader.load(context, path, content);
        Set<String> routes = routeIds();
        routes.removeAll(routesBefore);
        Set<String> templates = templateIds(model);
        templates.removeAll(templatesBefore);
        return new LoadedFile(content, routes, templates);
    }

    private void unload(LoadedFile file) throws Exception {
        ModelCamelContext model = (ModelCamelContext) context;
        for (String id : file.routeIds) {
            context.getRouteController().stopRoute(id, drainTimeoutMillis, TimeUnit.MILLISECONDS);
            model.removeRoute(id);
        }
        for (String id : file.templateIds) {
            model.removeRouteTemplateDefinitions(id);
        }
    }

    private Set<String> routeIds() {
        return context.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<String> templateIds(ModelCamelContext model) {
        return model.getRouteTemplateDefinitions().stream().map(RouteTemplateDefinition::getId)
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    private record LoadedFile(String content, Set<String> routeIds, Set<String> templateIds) {
    }
}
