package dev.caravan.access;

import com.nimbusds.jose.jwk.JWKSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JWK set fetched from a URL, shared by every step naming it. Requests only read the last fetched set; fetches run in
 * the background: one at start, one every refresh interval, and one when a token names a key the set lacks (key
 * rotation), but never two at once and never sooner than the minimum interval after the last, so a flood of tokens with
 * made-up key ids cannot hammer the URL. A failed fetch keeps the keys of the last good one.
 */
final class RemoteJwkSet {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwkSet.class);
    private static final int MAX_BYTES = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI uri;
    private final HttpClient client;
    private final Executor background;
    private final AtomicBoolean fetching = new AtomicBoolean();
    private final AtomicLong fetches = new AtomicLong();
    private volatile JWKSet keys = new JWKSet();
    private volatile long lastFetchStarted;
    private volatile long minIntervalNanos;
    // guarded by the owning RemoteJwkSets
    int users;
    long refreshIntervalMillis;
    ScheduledFuture<?> refresh;
    ScheduledFuture<?> expiry;

    RemoteJwkSet(URI uri, HttpClient client, Executor background, long minIntervalMillis) {
        this.uri = uri;
        this.client = client;
        this.background = background;
        this.minIntervalNanos = minIntervalMillis * 1_000_000;
        this.lastFetchStarted = System.nanoTime() - minIntervalNanos;
    }

    URI uri() {
        return uri;
    }

    /** The keys of the last good fetch (empty before the first). */
    JWKSet current() {
        return keys;
    }

    /** Fetches started so far (for tests and diagnostics). */
    long fetches() {
        return fetches.get();
    }

    void minInterval(long millis) {
        minIntervalNanos = Math.min(minIntervalNanos, millis * 1_000_000);
    }

    /**
     * A token named a key the set lacks: fetch again, unless a fetch is running or the last one started less than the
     * minimum interval ago. Cheap and never blocking: called on an event loop.
     */
    void refreshSoon() {
        if (System.nanoTime() - lastFetchStarted >= minIntervalNanos) {
            fetch();
        }
    }

    /** Starts a fetch in the background unless one is running. */
    void fetch() {
        if (!fetching.compareAndSet(false, true)) {
            return;
        }
        lastFetchStarted = System.nanoTime();
        fetches.incrementAndGet();
        try {
            background.execute(this::send); // even name resolution happens off the caller's thread
        } catch (RuntimeException e) {
            fetching.set(false);
        }
    }

    private void send() {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", "application/jwk-set+json, application/json").GET().build();
        try {
            client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
                try {
                    if (failure != null) {
                        failed(failure.toString());
                    } else if (response.statusCode() != 200) {
                        failed("status " + response.statusCode());
                    } else if (response.body().length > MAX_BYTES) {
                        failed("more than " + MAX_BYTES + " bytes");
                    } else {
                        JWKSet fetched = JwkSets.parse(response.body());
                        keys = fetched;
                        LOG.info("Fetched {} key(s) from {}", fetched.size(), uri);
                    }
                } catch (java.text.ParseException | RuntimeException e) {
                    failed("not a JWK set: " + e.getMessage());
                } finally {
                    fetching.set(false);
                }
            });
        } catch (RuntimeException e) {
            failed(e.toString());
            fetching.set(false);
        }
    }

    private void failed(String why) {
        LOG.warn("Could not fetch the JWK set from {}: {}; the {} key(s) fetched before stay in use", uri, why,
                keys.size());
    }
}
