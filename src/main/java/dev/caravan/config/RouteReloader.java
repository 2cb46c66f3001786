package dev.caravan.config;

import dev.caravan.listen.Listeners;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.model.ModelCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Caravan's route reload, used instead of camel-main's (which in 4.18.0 unbinds ports and wedges after one bad file).
 * It watches one folder of YAML route files and the properties file as one configuration. On a change it validates
 * the whole new set first (a rejected set changes nothing and is logged once), then swaps it in without a pause (see
 * {@link LiveRoutes}): new routes take new requests at once, old ones finish theirs in the background.
 *
 * <p>Everything that changes routes (start-up load, reloads, the background drain) runs on one thread.
 */
public final class RouteReloader implements AutoCloseable {

    /** How long a change must stay the same before it is validated. */
    private static final long SETTLE_MILLIS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);
    private static final long DRAIN_POLL_MILLIS = 20;
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final CamelContext context;
    private final Path dir;
    private final PropertiesFile propertiesFile;
    private final PropertiesCheck propertiesCheck;
    private final RouteValidator validator;
    private final LiveRoutes live;
    private final ScheduledExecutorService worker;
    private volatile Thread workerThread;
    /** A drain is scheduled (read and written on the worker only). */
    private boolean drainScheduled;
    /** What is live: the folder's files and the properties file's text. */
    private Snapshot current;
    private Snapshot rejected;
    private volatile int generation;
    private volatile String lastError;
    // observe: rejected changes since start (metrics)
    private final java.util.concurrent.atomic.AtomicLong rejectedChanges = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param builtIn makes fresh copies of the routes and templates that come from code (for validation)
     * @param propertiesFile the properties file to watch too, or null (embedded: the host owns its properties)
     */
    public RouteReloader(CamelContext context, Path dir, Listeners listeners, long drainTimeoutMillis,
                         Supplier<List<RoutesBuilder>> builtIn, PropertiesFile propertiesFile,
                         PropertiesCheck propertiesCheck) {
        this.context = context;
        this.dir = dir;
        this.propertiesFile = propertiesFile;
        this.propertiesCheck = propertiesCheck;
        this.live = new LiveRoutes((ModelCamelContext) context, listeners, drainTimeoutMillis);
        // the context may hold routes of a host application beside the folder's: those are never touched
        this.validator = new RouteValidator(context, builtIn, live::owns);
        ScheduledThreadPoolExecutor single = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "caravan-routes");
            t.setDaemon(true);
            workerThread = t;
            return t;
        });
        single.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // no reload starts once closing
        this.worker = single;
    }

    /** A folder's files and the properties file's text, compared by content. */
    private record Snapshot(Map<Path, String> files, String properties) {
    }

    /** Loads the folder at start-up; an invalid file stops the start with its file and line. */
    public void loadInitial() throws RouteFileException {
        onWorker(() -> {
            long started = System.nanoTime();
            Snapshot snapshot = read();
            if (snapshot.files().isEmpty()) {
                LOG.warn("No route files (*.yaml) in {}: every request will get 404", dir.toAbsolutePath());
            }
            RouteSet set = validator.validate(snapshot.files());
            live.apply(withProperties(set, snapshot.properties()), true, 1);
            drainUntilSettled();
            current = snapshot;
            LOG.info("Routes generation 1 live in {} ms: {} route(s) from {} file(s) in {}", millisSince(started),
                    set.routes().size(), set.files().size(), dir);
            generation = 1;
            return null;
        });
    }

    /** Polls the folder and the properties file for changes (content, not timestamps, so bind mounts are seen). */
    public void watch(long intervalMillis) {
        worker.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RouteFileException | RuntimeException e) {
                LOG.error("Route reload check failed: {}", e.toString(), e);
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        LOG.debug("Watching {} for route changes every {} ms", dir.toAbsolutePath(), intervalMillis);
    }

    /** Applies the folder's current content if it changed and is valid. Returns true if routes were swapped. */
    public boolean reloadIfChanged() {
        return onWorkerUnchecked(this::check);
    }

    public int generation() {
        return generation;
    }

    /** The last rejected change's error, or null if the last change applied. */
    public String lastError() {
        return lastError;
    }

    /** Changes rejected since start (observe: metrics). */
    public long rejectedChanges() {
        return rejectedChanges.get();
    }

    /** The live route files and, per route id, where it comes from ({@code file:line}) (observe: admin view). */
    public LiveView liveView() {
        return onWorkerUnchecked(() -> {
            RouteSet set = live.set();
            Map<String, String> locations = new java.util.LinkedHashMap<>();
            set.routes().values().forEach(spec -> locations.put(spec.id(), spec.location()));
            return new LiveView(generation, set.files().keySet().stream().map(Path::toString).toList(), locations);
        });
    }

    /** What {@link #liveView()} returns. */
    public record LiveView(int generation, List<String> files, Map<String, String> routeLocations) {
    }

    /** Retired routes still finishing requests (0 once a swap has fully settled). */
    public int retiredRoutes() {
        return onWorkerUnchecked(live::retiredCount);
    }

    /** True when nothing retired is left and every route runs under its own id. */
    public boolean settled() {
        return onWorkerUnchecked(live::settled);
    }

    /** A drain is scheduled: true only while a swap has not settled. */
    boolean draining() {
        return onWorkerUnchecked(() -> drainScheduled);
    }

    private boolean check() throws RouteFileException {
        Snapshot snapshot = read();
        if (snapshot.equals(current)) {
            if (rejected != null) {
                LOG.info("Route files and properties are back to the live version (generation {}); the rejected "
                        + "change is gone", generation);
                rejected = null;
                lastError = null;
            }
            return false;
        }
        if (snapshot.equals(rejected)) {
            return false;
        }
        if (!snapshot.equals(readAfterSettling())) {
            return false; // a file is still being written (an editor's truncate-then-write): look again next time
        }
        long started = System.nanoTime();
        String what = describeChange(current, snapshot);
        boolean propertiesChanged = !Objects.equals(snapshot.properties(), current.properties());
        List<String> warnings = List.of();
        RouteSet set;
        try {
            Properties properties = context.getPropertiesComponent().loadProperties();
            if (propertiesChanged) {
                properties = propertiesAfter(properties, snapshot.properties());
                warnings = propertiesCheck.check(properties, changedKeys(current.properties(), snapshot.properties()));
            }
            set = validator.validate(snapshot.files(), properties);
        } catch (RouteFileException | IllegalArgumentException e) {
            reject(snapshot, what, e.getMessage());
            return false;
        } catch (RuntimeException e) {
            reject(snapshot, what, RouteValidator.rootMessage(e));
            return false;
        }
        int nextGeneration = generation + 1;
        LiveRoutes.Swap swap;
        try {
            if (propertiesChanged) {
                // routes built from now on resolve placeholders with the new values
                reloadPropertiesLocations();
            }
            RouteSet next = withProperties(set, snapshot.properties());
            swap = live.apply(next, !next.shared().equals(live.set().shared()), nextGeneration);
        } catch (RouteFileException | RuntimeException e) {
            drainUntilSettled(); // a failed swap retires what it started
            String error = e instanceof RouteFileException ? e.getMessage() : RouteValidator.rootMessage(e);
            // Camel reads the file itself: its new values stay loaded for routes built later (until the next change)
            reject(snapshot, what, propertiesChanged ? error + "; the new " + propertiesFile.name()
                    + " values are loaded all the same" : error);
            return false;
        }
        drainUntilSettled();
        current = snapshot;
        rejected = null;
        lastError = null;
        LOG.info("Routes generation {} live in {} ms: {}; routes added {}, changed {}, removed {}{}", nextGeneration,
                millisSince(started), what, swap.added(), swap.changed(), swap.removed(),
                live.retiredCount() == 0 ? "" : "; " + live.retiredCount() + " retired route(s) finishing requests");
        warnings.forEach(LOG::warn);
        generation = nextGeneration; // last: whoever sees the new generation also sees what was said about it
        return true;
    }

    private void reject(Snapshot snapshot, String what, String error) {
        LOG.warn("Rejected change ({}), generation {} keeps serving: {}", what, generation, error);
        rejected = snapshot;
        rejectedChanges.incrementAndGet(); // observe
        lastError = error; // after the log line, like the generation
    }

    /** Reads again a moment later, so a file caught between truncation and its new content is not validated. */
    private Snapshot readAfterSettling() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return read();
    }

    private Snapshot read() {
        return new Snapshot(RouteFiles.read(dir), propertiesFile == null ? null : propertiesFile.read());
    }

    /** The properties file is part of the set: a change there rebuilds every route (placeholders). */
    private static RouteSet withProperties(RouteSet set, String properties) {
        return new RouteSet(set.files(), set.routes(),
                set.shared() + "\n#properties\n" + Objects.requireNonNullElse(properties, ""));
    }

    /** Every property as it will be: the live ones with the old file's entries replaced by the new file's. */
    private Properties propertiesAfter(Properties live, String newContent) {
        Properties oldFile = PropertiesFile.parse(current.properties());
        Properties newFile = PropertiesFile.parse(newContent);
        Properties overrides = overrideProperties();
        Properties after = new Properties();
        after.putAll(live);
        for (String key : oldFile.stringPropertyNames()) {
            if (!overrides.containsKey(key)) {
                after.remove(key);
            }
        }
        for (String key : newFile.stringPropertyNames()) {
            if (!overrides.containsKey(key)) {
                after.put(key, newFile.getProperty(key));
            }
        }
        return after;
    }

    /**
     * Makes Camel read its properties files again. By re-creating their sources: Camel's own reloadProperties fails on
     * an optional file that was deleted.
     */
    private void reloadPropertiesLocations() {
        if (context.getPropertiesComponent() instanceof PropertiesComponent pc) {
            pc.setLocations(pc.getLocations().toArray(String[]::new));
        } else {
            context.getPropertiesComponent().reloadProperties(propertiesFile.source());
        }
    }

    private Properties overrideProperties() {
        if (context.getPropertiesComponent() instanceof PropertiesComponent pc
                && pc.getOverrideProperties() != null) {
            return pc.getOverrideProperties();
        }
        return new Properties();
    }

    private static List<String> changedKeys(String before, String after) {
        Properties a = PropertiesFile.parse(before);
        Properties b = PropertiesFile.parse(after);
        TreeSet<String> keys = new TreeSet<>(a.stringPropertyNames());
        keys.addAll(b.stringPropertyNames());
        return keys.stream().filter(k -> !Objects.equals(a.getProperty(k), b.getProperty(k))).toList();
    }

    private String describeChange(Snapshot before, Snapshot after) {
        List<String> parts = new ArrayList<>();
        for (Path path : after.files().keySet()) {
            if (!before.files().containsKey(path)) {
                parts.add("added " + path.getFileName());
            } else if (!before.files().get(path).equals(after.files().get(path))) {
                parts.add("changed " + path.getFileName());
            }
        }
        before.files().keySet().stream().filter(p -> !after.files().containsKey(p))
                .forEach(p -> parts.add("removed " + p.getFileName()));
        if (!Objects.equals(before.properties(), after.properties())) {
            parts.add("changed " + propertiesFile.name());
        }
        return parts.isEmpty() ? "no change" : String.join(", ", parts);
    }

    /**
     * On the worker: drains every {@value #DRAIN_POLL_MILLIS} ms while a swap has left retired routes or borrowed ids,
     * and not at all otherwise (an idle gateway's reloader thread sleeps instead of waking 50 times a second).
     */
    private void drainUntilSettled() {
        if (drainScheduled || live.settled()) {
            return;
        }
        drainScheduled = true;
        try {
            worker.schedule(this::drainQuietly, DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            drainScheduled = false; // closing: Camel's shutdown removes what is left
        }
    }

    private void drainQuietly() {
        drainScheduled = false;
        try {
            live.drain();
        } catch (RuntimeException e) {
            LOG.warn("Route drain failed: {}", e.toString(), e);
        }
        drainUntilSettled();
    }

    private interface Task<T> {
        T run() throws RouteFileException;
    }

    /** Runs on the reloader's thread (so loads, reloads and the drain never overlap) and waits for the result. */
    private <T> T onWorker(Task<T> task) throws RouteFileException {
        try {
            return worker.submit(() -> {
                try {
                    return task.run();
                } catch (RouteFileException e) {
                    throw new WrappedFailure(e);
                }
            }).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WrappedFailure w) {
                throw w.failure;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the route reloader", e);
        }
    }

    /** {@link #onWorker} for callers that have no use for the checked failure (it does not happen for them). */
    private <T> T onWorkerUnchecked(Task<T> task) {
        try {
            return onWorker(task);
        } catch (RouteFileException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class WrappedFailure extends RuntimeException {
        final RouteFileException failure;

        WrappedFailure(RouteFileException failure) {
            super(failure);
            this.failure = failure;
        }
    }

    private static long millisSince(long started) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /**
     * Stops watching and waits for a reload or a drain that is under way: Camel's own shutdown, which follows, must not
     * run beside a route swap (it walks the context's route list while the swap edits it).
     */
    @Override
    public void close() {
        if (Thread.currentThread() == workerThread) {
            worker.shutdownNow(); // closed from a route change itself: nothing else can be under way
            return;
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
