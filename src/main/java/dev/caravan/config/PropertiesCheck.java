package dev.caravan.config;

import java.util.List;
import java.util.Properties;

/** Judges a changed properties file for the settings read once at start (the server knows them, routes do not). */
@FunctionalInterface
public interface PropertiesCheck {

    /**
     * @param properties every property as the change would make them (the file's over the other sources)
     * @param changedKeys the keys the file added, removed or changed
     * @return warnings to log: settings that need a restart, unknown {@code caravan.*} names
     * @throws IllegalArgumentException if a value is invalid (the change is rejected)
     */
    List<String> check(Properties properties, List<String> changedKeys);
}
