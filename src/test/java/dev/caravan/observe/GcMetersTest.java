package dev.caravan.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcMetersTest {

    @Test
    void collectionsAreCountedPerCollectorWhenRead() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GcMeters().bindTo(registry);
        assertFalse(registry.find("jvm.gc.collections").functionCounters().isEmpty(), "one per collector");
        double before = total(registry, "jvm.gc.collections");
        System.gc(); // (a request, but every collector this JVM offers honours it unless told not to)
        assertTrue(total(registry, "jvm.gc.collections") > before, "read from the JVM at the time of asking");
        assertTrue(total(registry, "jvm.gc.collection.time") >= 0);
    }

    private static double total(SimpleMeterRegistry registry, String name) {
        return registry.find(name).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }
}
