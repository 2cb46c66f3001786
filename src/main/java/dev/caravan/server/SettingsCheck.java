package dev.caravan.server;

import dev.caravan.config.PropertiesCheck;
import org.apache.camel.spi.PropertiesComponent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What Caravan says about its settings: unknown {@code caravan.*} names from any source at start, and, when the
 * properties file changes while running, which settings need a restart (everything {@link ServerSettings} reads is
 * read once) and whether the new values are valid at all.
 */
public final class SettingsCheck implements PropertiesCheck {

    private final SettingNames names = new SettingNames(known());
    private final String fileName;

    public SettingsCheck(String fileName) {
        this.fileName = fileName;
    }

    /** What {@link ServerSettings} reads, and the {@code lib/} folder, read before Camel starts. */
    private static java.util.Set<String> known() {
        java.util.Set<String> known = new java.util.TreeSet<>(ServerSettings.names());
        known.add(LibFolder.PROPERTY);
        return known;
    }

    /** Warnings for unknown names in the properties, {@code -D} system properties and environment variables. */
    public List<String> unknownAtStart(PropertiesComponent properties, Map<String, String> overrides) {
        Map<String, String> seen = new LinkedHashMap<>();
        Properties loaded = properties.loadProperties();
        for (String name : loaded.stringPropertyNames()) {
            seen.put(name, overrides.containsKey(name) ? "command line" : "properties");
        }
        System.getProperties().stringPropertyNames().forEach(n -> seen.putIfAbsent(n, "-D system property"));
        System.getenv().keySet().forEach(n -> seen.putIfAbsent(n, "environment variable"));
        return names.warnings(seen);
    }

    @Override
    public List<String> check(Properties properties, List<String> changedKeys) {
        ServerSettings.from(SettingsSource.of(properties)); // an invalid value rejects the change
        List<String> warnings = new ArrayList<>();
        Map<String, String> unknown = new LinkedHashMap<>();
        for (String key : changedKeys) {
            if (names.isKnown(key)) {
                warnings.add("Setting " + key + " changed in " + fileName + ": needs a restart (read once at start); "
                        + "the running value stays until then");
            } else if (properties.containsKey(key)) {
                unknown.put(key, fileName);
            }
        }
        warnings.addAll(names.warnings(unknown));
        return warnings;
    }
}
