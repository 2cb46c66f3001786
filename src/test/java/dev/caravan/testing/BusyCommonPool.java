package dev.caravan.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every worker of the common fork-join pool busy until closed, so a test can tell work done on its own thread
 * from work handed to the pool (which then cannot run before {@link #close()}).
 */
public final class BusyCommonPool implements AutoCloseable {

    private final CountDownLatch release = new CountDownLatch(1);

    public BusyCommonPool() throws InterruptedException {
        int workers = ForkJoinPool.commonPool().getParallelism();
        CountDownLatch started = new CountDownLatch(workers);
        for (int i = 0; i < workers; i++) {
            ForkJoinPool.commonPool().execute(() -> {
                started.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (!started.await(10, TimeUnit.SECONDS)) {
            release.countDown();
            throw new IllegalStateException("the common pool did not start " + workers + " workers");
        }
    }

    @Override
    public void close() {
        release.countDown();
    }
}
