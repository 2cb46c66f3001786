package dev.caravan.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Collections and the time spent in them, per collector, read from the JVM when scraped. Instead of Micrometer's
 * {@code JvmGcMetrics}: that one listens for a JMX notification after every collection, and the JVM builds each
 * notification's memory-pool report on its notification thread, about a millisecond of CPU on the event loop's core
 * several times a second under load, which showed up in the p99 (see bench/README.md, "Ninth pass").
 */
final class GcMeters implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionCounter.builder("jvm.gc.collections", collector, c -> Math.max(0, c.getCollectionCount()))
                    .tag("gc", collector.getName())
                    .description("Collections by this collector since the JVM started")
                    .register(registry);
            FunctionCounter.builder("jvm.gc.collection.time", collector,
                            c -> Math.max(0, c.getCollectionTime()) / (double) TimeUnit.SECONDS.toMillis(1))
                    .tag("gc", collector.getName())
                    .baseUnit("seconds")
                    .description("Time spent in collections by this collector (approximate wall time)")
                    .register(registry);
        }
    }
}
