package dev.caravan.balance;

import dev.caravan.forward.BackendTarget;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every backend's live state by origin; owned by the server so it survives route reloads. */
public final class Backends {

    private final Map<String, Backend> byOrigin = new ConcurrentHashMap<>();

    public Backend backend(BackendTarget target) {
        return byOrigin.computeIfAbsent(target.origin(), o -> new Backend(target));
    }

    /** Every backend known so far (observe: metrics, readiness, status page). */
    public java.util.Collection<Backend> all() {
        return java.util.List.copyOf(byOrigin.values());
    }

    /** The backend of this origin, or null when no route named it. */
    public Backend find(String origin) {
        return byOrigin.get(origin);
    }

    /**
     * The state of every backend as JSON, for an admin route, e.g.
     * {@code setBody: {method: {ref: caravanBackends, method: json}}}.
     */
    public String json() {
        long now = System.nanoTime();
        StringBuilder json = new StringBuilder("{\"backends\":[");
        byOrigin.values().stream().sorted(java.util.Comparator.comparing(Backend::toString)).forEach(b -> {
            if (json.charAt(json.length() - 1) != '[') {
                json.append(',');
            }
            json.append("{\"origin\":\"").append(b.target().origin())
                    .append("\",\"up\":").append(b.isAvailable(now))
                    .append(",\"probedUp\":").append(b.isProbedUp())
                    .append(",\"ejected\":").append(b.isEjected(now))
                    .append(",\"ejections\":").append(b.ejections())
                    .append(",\"inflight\":").append(b.inflight()).append('}');
        });
        return json.append("]}").toString();
    }
}
