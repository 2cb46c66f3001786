package dev.caravan.server;

import org.apache.camel.spi.PropertiesComponent;

import java.nio.file.Path;

/**
 * Caravan's process-level settings, read from Camel properties ({@code application.properties}, {@code -D},
 * environment variables such as {@code CARAVAN_HTTP_PORT}, or {@code --name=value}). Every one has a default.
 */
public record ServerSettings(
        String httpHost,
        int httpPort,
        long clientIdleTimeoutMillis,
        int ioThreads,
        Path routesDir,
        boolean reloadEnabled,
        long reloadIntervalMillis,
        long drainTimeoutMillis,
        long shutdownGraceMillis) {

    public static ServerSettings from(PropertiesComponent properties) {
        return new ServerSettings(
                string(properties, "caravan.http.host", "0.0.0.0"),
                (int) number(properties, "caravan.http.port", 8080),
                number(properties, "caravan.http.idleTimeout", 60_000),
                (int) number(properties, "caravan.io.threads", Runtime.getRuntime().availableProcessors()),
                Path.of(string(properties, "caravan.routes.dir", "routes")),
                Boolean.parseBoolean(string(properties, "caravan.routes.reload", "true")),
                number(properties, "caravan.routes.reloadInterval", 500),
                number(properties, "caravan.routes.drainTimeout", 10_000),
                number(properties, "caravan.shutdown.grace", 10_000));
    }

    private static String string(PropertiesComponent properties, String key, String defaultValue) {
        return properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(defaultValue);
    }

    private static long number(PropertiesComponent properties, String key, long defaultValue) {
        String value = string(properties, key, Long.toString(defaultValue));
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property " + key + " must be a whole number, was '" + value + "'", e);
        }
    }
}
