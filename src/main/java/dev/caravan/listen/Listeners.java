package dev.caravan.listen;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
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
        return List.copyOf(byName.values());
    }

    /**
     * Retires a route's handler: it leaves dispatch on every listener (an older binding for the same host and path
     * becomes visible again), while its Camel route stays started for the requests it holds.
     */
    public void retire(RequestHandler handler) {
        all().forEach(l -> l.routes().unbind(handler));
    }
}
