package dev.caravan.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (never "sleep, then assert"). */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} every 10 ms; fails naming {@code what} if it is still false after {@code limit}. */
    public static void until(BooleanSupplier condition, String what, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The same with a 10 s limit. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, what, Duration.ofSeconds(10));
    }
}
