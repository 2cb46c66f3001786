package dev.caravan.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects Netty's leak reports ({@code LEAK: ...}) so tests can fail on them. Installed for the whole test run by
 * {@link NettyLeakSession} before any Netty buffer class is loaded.
 */
public final class NettyLeaks {

    private static final List<String> REPORTS = new ArrayList<>();

    private NettyLeaks() {
    }

    static void install() {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    /** Reports collected since the last call; clears them. */
    public static synchronized List<String> drain() {
        List<String> copy = new ArrayList<>(REPORTS);
        REPORTS.clear();
        return copy;
    }

    private static synchronized void record(String report) {
        REPORTS.add(report);
        System.err.println("LEAK: " + report);
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {

        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record(resourceType + " was not released." + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record(resourceType + " was not released (untraced).");
        }
    }
}
