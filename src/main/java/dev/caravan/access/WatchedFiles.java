package dev.caravan.access;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The files a component's steps read (API keys, htpasswd users, JWK sets, GeoIP databases): one loaded copy per path,
 * shared by every step that names it, re-read on one background thread when its content changes. Requests only read
 * the loaded copy, so an event loop never waits for a disk. A change that does not parse is logged with its file and
 * line and the previous copy stays. A component owns one of these, so loaded files outlive route reloads; a file that
 * no started step uses is kept a while longer (a reload stops the old routes before it starts the new ones), then
 * forgotten.
 */
final class WatchedFiles implements AutoCloseable {

    /** How long a file (or fetched key set) no started step uses is kept, for the steps of the next route generation. */
    static final long UNUSED_KEPT_MILLIS = 60_000;

    private final String threadName;
    private final Map<String, WatchedFile<?>> files = new HashMap<>();
    private ScheduledExecutorService poller;

    WatchedFiles(String threadName) {
        this.threadName = threadName;
    }

    /**
     * The file parsed, for checking a step's options when its endpoint is made (in the validation context too): the
     * loaded copy if a started step uses the file already, else read now and not kept.
     */
    <T> T read(Path path, FileFormat<T> format) throws FileFormatException {
        synchronized (this) {
            WatchedFile<T> loaded = get(path, format);
            if (loaded != null) {
                return loaded.current();
            }
        }
        return WatchedFile.load(path, format).current();
    }

    /**
     * The shared copy of a file for a starting step (loading it now if no step uses it yet), checked for changes every
     * {@code intervalMillis} at most (the shortest any of its steps asks for). Pair with {@link #release}.
     */
    synchronized <T> WatchedFile<T> acquire(Path path, FileFormat<T> format, long intervalMillis)
            throws FileFormatException {
        WatchedFile<T> file = get(path, format);
        if (file == null) {
            file = WatchedFile.load(path, format);
            files.put(key(path, format), file);
        }
        file.users++;
        if (file.expiry != null) {
            file.expiry.cancel(false);
            file.expiry = null;
        }
        if (file.poll == null || intervalMillis < file.intervalMillis) {
            if (file.poll != null) {
                file.poll.cancel(false);
            }
            file.intervalMillis = intervalMillis;
            WatchedFile<T> polled = file;
            file.poll = poller().scheduleWithFixedDelay(polled::check, intervalMillis, intervalMillis,
                    TimeUnit.MILLISECONDS);
        }
        return file;
    }

    synchronized void release(WatchedFile<?> file) {
        if (--file.users > 0) {
            return;
        }
        file.expiry = poller().schedule(() -> expire(file), UNUSED_KEPT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void expire(WatchedFile<?> file) {
        String key = key(file.path(), file.format());
        if (file.users > 0 || files.get(key) != file) {
            return;
        }
        if (file.poll != null) {
            file.poll.cancel(false);
            file.poll = null;
        }
        files.remove(key);
    }

    @SuppressWarnings("unchecked")
    private <T> WatchedFile<T> get(Path path, FileFormat<T> format) {
        return (WatchedFile<T>) files.get(key(path, format));
    }

    private static String key(Path path, FileFormat<?> format) {
        return format.getClass().getName() + " " + path.toAbsolutePath().normalize();
    }

    private ScheduledExecutorService poller() {
        if (poller == null) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
        }
        return poller;
    }

    /** The background thread, for other slow work of the same component (a JWK set fetch's schedule). */
    synchronized ScheduledExecutorService scheduler() {
        return poller();
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
        files.clear();
    }
}
