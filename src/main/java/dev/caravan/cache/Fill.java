package dev.caravan.cache;

import io.netty.channel.EventLoop;

import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One request on its way to the backend to fill (or refresh) a key, and the requests for the same key that wait for
 * it instead of going to the backend too (request collapsing). A waiter is parked, never blocked: it is woken on its
 * own event loop when the fill ends, or when its wait times out, whichever comes first.
 */
final class Fill {

    private final List<Waiter> waiters = new ArrayList<>(4);
    private boolean done;

    /**
     * Parks a request until this fill ends: {@code resume} gets true when a response was stored (look again), false
     * when not or when {@code timeoutMillis} passed first (go to the backend). Returns false when the fill has already
     * ended (nothing was parked).
     */
    boolean await(EventLoop loop, long timeoutMillis, Consumer<Boolean> resume) {
        Waiter waiter = new Waiter(loop, resume);
        synchronized (this) {
            if (done) {
                return false;
            }
            waiters.add(waiter);
        }
        // called on the waiter's loop, so the wake-up (executed on that loop too) cannot run before this is set
        waiter.timeout = loop.schedule(() -> waiter.wake(false), timeoutMillis, TimeUnit.MILLISECONDS);
        return true;
    }

    /** The fill ended; wakes every waiter on its own loop. */
    void complete(boolean stored) {
        List<Waiter> woken;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            woken = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter waiter : woken) {
            try {
                waiter.loop.execute(() -> waiter.wake(stored));
            } catch (RejectedExecutionException e) {
                waiter.wake(false); // the loop is shutting down: let the request fail its own way
            }
        }
    }

    private static final class Waiter {
        private final EventLoop loop;
        private final Consumer<Boolean> resume;
        private final AtomicBoolean woken = new AtomicBoolean();
        private ScheduledFuture<?> timeout;

        Waiter(EventLoop loop, Consumer<Boolean> resume) {
            this.loop = loop;
            this.resume = resume;
        }

        void wake(boolean stored) {
            if (woken.compareAndSet(false, true)) {
                if (timeout != null) {
                    timeout.cancel(false);
                }
                resume.accept(stored);
            }
        }
    }
}
