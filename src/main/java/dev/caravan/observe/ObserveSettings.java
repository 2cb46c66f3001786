package dev.caravan.observe;

import dev.caravan.admin.AdminSettings;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The observability settings: metrics, access logs, request ids and trace context, the admin listener and the
 * readiness side of shutdown. Read once at start with the other {@code caravan.*} settings; each has a default.
 *
 * @param metrics            Caravan's request, connection and backend metrics (off: no meter is touched per request)
 * @param camelRouteMetrics  Camel's own per-route meters (camel-micrometer's route policy) in the same registry; off by
 *                           default: they cost about a tenth of the throughput (bench/metrics.sh)
 * @param accessLog          the default access-log choice for every listener
 * @param httpAccessLog      the {@code http} listener's choice
 * @param httpsAccessLog     the {@code https} listener's choice
 * @param keepRequestId      keep a well-formed {@code X-Request-Id} from the client (else always generate one)
 * @param traceContext       pass W3C {@code traceparent}/{@code tracestate} on with a new span id, or start a trace
 * @param admin              the admin listener (null when off)
 * @param readinessDelayMillis on shutdown, how long readiness answers 503 before the listeners stop accepting
 */
public record ObserveSettings(
        boolean metrics,
        boolean camelRouteMetrics,
        AccessLogChoice accessLog,
        AccessLogChoice httpAccessLog,
        AccessLogChoice httpsAccessLog,
        boolean keepRequestId,
        boolean traceContext,
        AdminSettings admin,
        long readinessDelayMillis) {

    /** The access-log choice for a listener by name ({@code admin} and unknown names get the default). */
    public AccessLogChoice accessLogFor(String listener) {
        return switch (listener) {
            case "http" -> httpAccessLog;
            case "https" -> httpsAccessLog;
            default -> accessLog;
        };
    }

    /** Reads the settings through {@code lookup}, which records every name read (so unknown names are warned about). */
    public static ObserveSettings from(Function<String, Optional<String>> lookup) {
        Reader r = new Reader(lookup);
        AccessLogChoice all = new AccessLogChoice(
                r.bool("caravan.accessLog.enabled", true),
                AccessLogFormat.parse("caravan.accessLog.format", r.string("caravan.accessLog.format", "combined")),
                r.bool("caravan.accessLog.errorsOnly", false),
                r.fraction("caravan.accessLog.sample", 1.0));
        AdminSettings admin = r.bool("caravan.admin.enabled", true)
                ? new AdminSettings(
                        r.string("caravan.admin.host", "127.0.0.1"),
                        (int) r.number("caravan.admin.port", 9901),
                        r.path("caravan.admin.users"),
                        r.string("caravan.admin.allow", ""),
                        (int) r.number("caravan.admin.statusRefresh", 5))
                : null;
        if (admin == null) {
            // still read, so the names are known when the admin listener is off
            r.string("caravan.admin.host", "");
            r.number("caravan.admin.port", 0);
            r.path("caravan.admin.users");
            r.string("caravan.admin.allow", "");
            r.number("caravan.admin.statusRefresh", 5);
        }
        return new ObserveSettings(
                r.bool("caravan.metrics.enabled", true),
                r.bool("caravan.metrics.camelRoutes", false),
                all,
                listenerChoice(r, "caravan.http.accessLog", all),
                listenerChoice(r, "caravan.https.accessLog", all),
                r.bool("caravan.requestId.keep", true),
                r.bool("caravan.trace.enabled", true),
                admin,
                r.number("caravan.shutdown.readinessDelay", 0));
    }

    /** {@code off}, {@code combined}, {@code json}, or empty for the default choice. */
    private static AccessLogChoice listenerChoice(Reader r, String key, AccessLogChoice all) {
        String value = r.string(key, "").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "" -> all;
            case "off", "false" -> all.withEnabled(false);
            case "on", "true" -> all.withEnabled(true);
            default -> all.withEnabled(true).withFormat(AccessLogFormat.parse(key, value));
        };
    }

    /** Typed reads with the option named in every error. */
    private record Reader(Function<String, Optional<String>> lookup) {

        String string(String key, String defaultValue) {
            return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(defaultValue);
        }

        Path path(String key) {
            String value = string(key, "");
            return value.isEmpty() ? null : Path.of(value);
        }

        boolean bool(String key, boolean defaultValue) {
            String value = string(key, Boolean.toString(defaultValue)).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("Property " + key + " must be true or false, was '"
                        + value + "'");
            };
        }

        long number(String key, long defaultValue) {
            String value = string(key, Long.toString(defaultValue));
            try {
                long n = Long.parseLong(value);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Property " + key + " must be a whole number of 0 or more, was '"
                        + value + "'", e);
            }
        }

        double fraction(String key, double defaultValue) {
            String value = string(key, Double.toString(defaultValue));
            try {
                double d = Double.parseDouble(value);
                if (d < 0 || d > 1 || Double.isNaN(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Property " + key + " must be a number from 0 to 1, was '"
                        + value + "'", e);
            }
        }
    }
}
