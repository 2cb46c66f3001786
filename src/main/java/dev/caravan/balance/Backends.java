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
}
