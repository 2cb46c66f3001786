package dev.caravan.server;

import org.apache.camel.spi.PropertiesComponent;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where settings are read from, remembering every name read and the value found, so the set of known names is
 * exactly what the code reads and two reads can be compared.
 */
public final class SettingsSource {

    private final Function<String, Optional<String>> lookup;
    private final Map<String, String> values = new TreeMap<>();

    public SettingsSource(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public static SettingsSource of(PropertiesComponent properties) {
        return new SettingsSource(properties::resolveProperty);
    }

    public static SettingsSource of(Properties properties) {
        return new SettingsSource(key -> Optional.ofNullable(properties.getProperty(key)));
    }

    Optional<String> get(String name) {
        Optional<String> value = lookup.apply(name);
        values.put(name, value.orElse(null));
        return value;
    }

    /** Each name read, with its value (null when unset). */
    Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }
}
