package dev.caravan.server;

import dev.caravan.h2.H2Settings;
import dev.caravan.http.IoTransport;
import dev.caravan.http.PathCanonicalizer;
import dev.caravan.limits.ByteSize;
import dev.caravan.listen.ClientLimits;
import dev.caravan.tls.BackendTlsSettings;
import dev.caravan.tls.ClientAuthMode;
import dev.caravan.tls.TlsProvider;
import dev.caravan.tls.TlsSettings;
import org.apache.camel.spi.PropertiesComponent;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Caravan's process-level settings, read from Camel properties ({@code application.properties}, {@code -D},
 * environment variables such as {@code CARAVAN_HTTP_PORT}, or {@code --name=value}). Every one has a default.
 */
public record ServerSettings(
        String httpHost,
        int httpPort,
        boolean httpsEnabled,
        String httpsHost,
        int httpsPort,
        TlsSettings tls,
        String hsts,
        BackendTlsSettings backendTls,
        ClientLimits clientLimits,
        PathCanonicalizer paths,
        boolean httpProxyProtocol,
        boolean httpsProxyProtocol,
        boolean httpH2c,
        boolean httpsH2,
        H2Settings h2,
        int ioThreads,
        IoTransport ioTransport,
        Path routesDir,
        boolean reloadEnabled,
        long reloadIntervalMillis,
        long drainTimeoutMillis,
        long shutdownGraceMillis,
        String trustedProxies,
        dev.caravan.observe.ObserveSettings observe) {

    public static ServerSettings from(PropertiesComponent properties) {
        return from(SettingsSource.of(properties));
    }

    /** Every setting name Caravan reads (all are read, with their defaults, whatever is set). */
    public static Set<String> names() {
        SettingsSource none = new SettingsSource(key -> Optional.empty());
        from(none);
        return none.values().keySet();
    }

    public static ServerSettings from(SettingsSource properties) {
        String httpHost = string(properties, "caravan.http.host", "0.0.0.0");
        return new ServerSettings(
                httpHost,
                (int) number(properties, "caravan.http.port", 8080),
                Boolean.parseBoolean(string(properties, "caravan.https.enabled", "true")),
                string(properties, "caravan.https.host", httpHost),
                (int) number(properties, "caravan.https.port", 8443),
                new TlsSettings(
                        Path.of(string(properties, "caravan.tls.certs", "certs")),
                        number(properties, "caravan.tls.reloadInterval", 2000),
                        (int) number(properties, "caravan.tls.expiryWarningDays", 30),
                        number(properties, "caravan.tls.handshakeTimeout", 10_000),
                        list(properties, "caravan.tls.protocols", TlsSettings.DEFAULT_PROTOCOLS),
                        list(properties, "caravan.tls.ciphers", TlsSettings.DEFAULT_CIPHERS),
                        ClientAuthMode.parse(string(properties, "caravan.tls.clientAuth", "none")),
                        path(properties, "caravan.tls.clientCa"),
                        properties.get("caravan.tls.keystorePassword").orElse(""),
                        TlsProvider.parse(string(properties, "caravan.tls.provider", "auto"))),
                string(properties, "caravan.https.hsts", null),
                new BackendTlsSettings(
                        path(properties, "caravan.backend.tls.trust"),
                        path(properties, "caravan.backend.tls.cert"),
                        path(properties, "caravan.backend.tls.key")),
                clientLimits(properties),
                new PathCanonicalizer(
                        Boolean.parseBoolean(string(properties, "caravan.paths.mergeSlashes", "true")),
                        encodedSlashes(string(properties, "caravan.paths.encodedSlashes", "reject"))),
                Boolean.parseBoolean(string(properties, "caravan.http.proxyProtocol", "false")),
                Boolean.parseBoolean(string(properties, "caravan.https.proxyProtocol", "false")),
                Boolean.parseBoolean(string(properties, "caravan.http.h2c", "false")),
                Boolean.parseBoolean(string(properties, "caravan.https.h2", "true")),
                h2(properties),
                (int) number(properties, "caravan.io.threads", Runtime.getRuntime().availableProcessors()),
                IoTransport.parse(string(properties, "caravan.io.transport", "auto")),
                Path.of(string(properties, "caravan.routes.dir", "routes")),
                Boolean.parseBoolean(string(properties, "caravan.routes.reload", "true")),
                number(properties, "caravan.routes.reloadInterval", 500),
                number(properties, "caravan.routes.drainTimeout", 3_600_000),
                number(properties, "caravan.shutdown.grace", 10_000),
                string(properties, "caravan.trustedProxies", ""),
                dev.caravan.observe.ObserveSettings.from(properties::get)); // observe: metrics, logs, admin
    }

    private static boolean encodedSlashes(String value) {
        return switch (value) {
            case "reject" -> false;
            case "allow" -> true;
            default -> throw new IllegalArgumentException(
                    "caravan.paths.encodedSlashes must be reject or allow, was '" + value + "'");
        };
    }

    private static H2Settings h2(SettingsSource properties) {
        H2Settings d = H2Settings.DEFAULTS;
        return new H2Settings(
                (int) number(properties, "caravan.h2.maxConcurrentStreams", d.maxConcurrentStreams()),
                number(properties, "caravan.h2.maxHeaderListSize", d.maxHeaderListSize()),
                (int) number(properties, "caravan.h2.maxFrameSize", d.maxFrameSize()),
                (int) number(properties, "caravan.h2.initialWindowSize", d.initialWindowSize()),
                (int) number(properties, "caravan.h2.maxResetsPerWindow", d.maxResetsPerWindow()),
                (int) number(properties, "caravan.h2.resetWindowSeconds", d.resetWindowSeconds()),
                (int) number(properties, "caravan.h2.maxQueuedControlFrames", d.maxQueuedControlFrames()),
                (int) number(properties, "caravan.h2.maxEmptyDataFrames", d.maxEmptyDataFrames()));
    }

    private static ClientLimits clientLimits(SettingsSource properties) {
        ClientLimits d = ClientLimits.DEFAULTS;
        return new ClientLimits(
                number(properties, "caravan.client.headerTimeout", d.headerTimeoutMillis()),
                number(properties, "caravan.client.bodyTimeout", d.bodyTimeoutMillis()),
                number(properties, "caravan.client.keepAliveTimeout", d.keepAliveTimeoutMillis()),
                number(properties, "caravan.client.sendTimeout", d.sendTimeoutMillis()),
                (int) number(properties, "caravan.client.maxRequestsPerConnection", d.maxRequestsPerConnection()),
                (int) number(properties, "caravan.client.maxConnections", d.maxConnections()),
                (int) number(properties, "caravan.client.maxConnectionsPerIp", d.maxConnectionsPerIp()),
                (int) number(properties, "caravan.client.maxRequestLine", d.maxRequestLine()),
                (int) number(properties, "caravan.client.maxHeaderSize", d.maxHeaderSize()),
                (int) number(properties, "caravan.client.maxHeaderCount", d.maxHeaderCount()),
                ByteSize.parse("caravan.client.maxBodySize",
                        string(properties, "caravan.client.maxBodySize", Long.toString(d.maxBodySize()))));
    }

    private static String string(SettingsSource properties, String key, String defaultValue) {
        return properties.get(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(defaultValue);
    }

    /** A file path, or null when the property is not set. */
    private static Path path(SettingsSource properties, String key) {
        String value = string(properties, key, null);
        return value == null ? null : Path.of(value);
    }

    private static List<String> list(SettingsSource properties, String key, List<String> defaultValue) {
        return properties.get(key)
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList())
                .filter(l -> !l.isEmpty())
                .orElse(defaultValue);
    }

    private static long number(SettingsSource properties, String key, long defaultValue) {
        String value = string(properties, key, Long.toString(defaultValue));
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property " + key + " must be a whole number, was '" + value + "'", e);
        }
    }
}
