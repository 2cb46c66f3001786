package dev.caravan.listen;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The process's listeners by name; {@code caravan:<name>} endpoints attach to them. */
public final class Listeners {

    private final Map<String, Listener> byName = new LinkedHashMap<>();

    public synchronized void add(Listener listener) {
        byName.put(listener.name(), listener);
    }

    public synchronized Listener get(String name) {
        Listener listener = byName.get(name);
        if (listener == null) {
            throw new IllegalArgumentException("No listener named '" + name + "'; configured: " + byName.keySet());
        }
        return listener;
    }

    public synchronized Collection<Listener> all() {
        return java.util.List.copyOf(byName.values());
    }

    /** Holds dispatch on every listener (see {@link RouteTable#hold()}). */
    public void holdAll() {
        all().forEach(l -> l.routes().hold());
    }

    public void releaseAll() {
        all().forEach(l -> l.routes().release());
    }
}
