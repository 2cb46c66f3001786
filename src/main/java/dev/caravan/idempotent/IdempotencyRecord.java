package dev.caravan.idempotent;

import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the store knows about one idempotency key: the fingerprint of the request that first used it, and either
 * "in flight" (with the duplicates parked until it ends), the reply to replay, or "done but too large to replay".
 * An in-flight record is replaced by a finished one; duplicates parked on it are woken on their own event loops.
 */
final class IdempotencyRecord {

    enum State { IN_FLIGHT, DONE, UNREPLAYABLE }

    private final String fingerprint;
    private final State state;
    private final StoredReply reply;
    private final List<Parked> parked = new ArrayList<>(2);
    private boolean ended;

    private IdempotencyRecord(String fingerprint, State state, StoredReply reply) {
        this.fingerprint = fingerprint;
        this.state = state;
        this.reply = reply;
    }

    static IdempotencyRecord inFlight(String fingerprint) {
        return new IdempotencyRecord(fingerprint, State.IN_FLIGHT, null);
    }

    static IdempotencyRecord done(String fingerprint, StoredReply reply) {
        return new IdempotencyRecord(fingerprint, State.DONE, reply);
    }

    static IdempotencyRecord unreplayable(String fingerprint) {
        return new IdempotencyRecord(fingerprint, State.UNREPLAYABLE, null);
    }

    String fingerprint() {
        return fingerprint;
    }

    State state() {
        return state;
    }

    StoredReply reply() {
        return reply;
    }

    int weight() {
        return 128 + fingerprint.length() * 2 + (reply == null ? 0 : reply.weight());
    }

    /**
     * Parks a duplicate until this in-flight request ends ({@code resume} true) or {@code timeoutMillis} pass (false).
     * Returns false when it has already ended.
     */
    boolean await(EventLoop loop, long timeoutMillis, java.util.function.Consumer<Boolean> resume) {
        Parked p = new Parked(loop, resume);
        synchronized (this) {
            if (ended) {
                return false;
            }
            parked.add(p);
        }
        p.timeout = loop.schedule(() -> p.wake(false), timeoutMillis, TimeUnit.MILLISECONDS);
        return true;
    }

    /** The request this record stood for has ended (its reply stored, or its key released). */
    void end() {
        List<Parked> woken;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            woken = new ArrayList<>(parked);
            parked.clear();
        }
        for (Parked p : woken) {
            try {
                p.loop.execute(() -> p.wake(true));
            } catch (RejectedExecutionException e) {
                p.wake(false);
            }
        }
    }

    private static final class Parked {
        private final EventLoop loop;
        private final java.util.function.Consumer<Boolean> resume;
        private final AtomicBoolean woken = new AtomicBoolean();
        private io.netty.util.concurrent.ScheduledFuture<?> timeout;

        Parked(EventLoop loop, java.util.function.Consumer<Boolean> resume) {
            this.loop = loop;
            this.resume = resume;
        }

        void wake(boolean ended) {
            if (woken.compareAndSet(false, true)) {
                if (timeout != null) {
                    timeout.cancel(false);
                }
                resume.accept(ended);
            }
        }
    }
}
