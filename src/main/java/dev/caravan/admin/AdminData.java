package dev.caravan.admin;

import java.util.List;

/**
 * What the admin listener shows, supplied by the server's observability. Called on the admin thread, never on an
 * event loop, so an answer may take a moment (a scrape, a look at the live routes).
 */
public interface AdminData {

    /** The meters in Prometheus text format, or OpenMetrics when {@code openMetrics}; null when metrics are off. */
    String metrics(boolean openMetrics);

    /** Whether the gateway should get traffic, and why not. */
    Readiness readiness();

    /** JSON: generation, files, and each route with its listeners, host, path, steps and backends. */
    String routesJson();

    /** JSON: every backend's state. */
    String backendsJson();

    /** JSON: the served certificates with their names and expiry. */
    String certificatesJson();

    /** What the HTML status page shows. */
    StatusView status();

    /** @param reasons why not ready (empty when ready) */
    record Readiness(boolean ready, int generation, List<String> reasons) {
    }

    /** The status page's content. */
    record StatusView(boolean ready, List<String> notReady, int generation, String lastReloadError,
                      double requestsPerSecond, double errorsPerSecond, long requests, long errors,
                      boolean metricsOn, List<RouteRow> routes, List<BackendRow> backends) {
    }

    record RouteRow(String id, String listeners, String host, String path, List<String> backends, String source) {
    }

    record BackendRow(String origin, boolean up, boolean probedUp, boolean ejected, int inflight, long ejections) {
    }
}
