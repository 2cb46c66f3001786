package dev.caravan.access;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The JWK set URLs a component's steps use, one {@link RemoteJwkSet} per URL, shared by every step naming it. A set no
 * started step uses is kept a while longer, because a route reload stops the old routes before it starts the new ones:
 * the new steps find the keys already fetched.
 */
final class RemoteJwkSets implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteJwkSets.class);

    private final Supplier<ScheduledExecutorService> background;
    private final Map<URI, RemoteJwkSet> sets = new HashMap<>();
    private HttpClient client;

    RemoteJwkSets(Supplier<ScheduledExecutorService> background) {
        this.background = background;
    }

    /** The shared set for a starting step; a new one starts its first fetch now (in the background). */
    synchronized RemoteJwkSet acquire(URI uri, long refreshIntervalMillis, long minIntervalMillis) {
        RemoteJwkSet set = sets.get(uri);
        ScheduledExecutorService scheduler = background.get();
        if (set == null) {
            if (uri.getScheme().equalsIgnoreCase("http") && !isLoopback(uri.getHost())) {
                LOG.warn("The JWK set {} is fetched over plain HTTP: anyone on the way could swap the keys; use https",
                        uri);
            }
            set = new RemoteJwkSet(uri, client(), scheduler, minIntervalMillis);
            sets.put(uri, set);
            set.fetch();
        }
        set.minInterval(minIntervalMillis);
        set.users++;
        if (set.expiry != null) {
            set.expiry.cancel(false);
            set.expiry = null;
        }
        if (set.refresh == null || refreshIntervalMillis < set.refreshIntervalMillis) {
            if (set.refresh != null) {
                set.refresh.cancel(false);
            }
            set.refreshIntervalMillis = refreshIntervalMillis;
            set.refresh = scheduler.scheduleWithFixedDelay(set::fetch, refreshIntervalMillis, refreshIntervalMillis,
                    TimeUnit.MILLISECONDS);
        }
        return set;
    }

    synchronized void release(RemoteJwkSet set) {
        if (--set.users > 0) {
            return;
        }
        set.expiry = background.get().schedule(() -> expire(set), WatchedFiles.UNUSED_KEPT_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private synchronized void expire(RemoteJwkSet set) {
        if (set.users > 0 || sets.get(set.uri()) != set) {
            return;
        }
        if (set.refresh != null) {
            set.refresh.cancel(false);
            set.refresh = null;
        }
        sets.remove(set.uri());
    }

    /** The set for a URL, or null when no started step uses it. */
    synchronized RemoteJwkSet get(URI uri) {
        return sets.get(uri);
    }

    private static boolean isLoopback(String host) {
        java.net.InetAddress address = CidrMatcher.literal(host);
        return host.equalsIgnoreCase("localhost") || address != null && address.isLoopbackAddress();
    }

    private HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return client;
    }

    @Override
    public synchronized void close() {
        sets.values().forEach(set -> {
            if (set.refresh != null) {
                set.refresh.cancel(false);
            }
        });
        sets.clear();
        client = null;
    }
}
