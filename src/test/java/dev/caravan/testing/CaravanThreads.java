package dev.caravan.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an embedded Caravan must leave behind when its context stops: none of its threads (I/O loops, route reloader,
 * certificate watcher) and no bound port. Threads are compared with a snapshot taken before it started, so a test
 * class that ran earlier in the same JVM does not count.
 */
public final class CaravanThreads {

    private final Set<Thread> before;

    private CaravanThreads(Set<Thread> before) {
        this.before = before;
    }

    /** Caravan's threads alive now. */
    public static CaravanThreads snapshot() {
        return new CaravanThreads(Set.copyOf(alive()));
    }

    /** Caravan's threads started since the snapshot and still alive. */
    public List<String> started() {
        return alive().stream().filter(t -> !before.contains(t)).map(Thread::getName).sorted().toList();
    }

    /** Waits (10 s at most) until every Caravan thread started since the snapshot has ended. */
    public void awaitAllEnded() throws InterruptedException {
        Await.until(() -> started().isEmpty(), "Caravan threads still alive: " + started());
    }

    private static List<Thread> alive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("caravan-"))
                .collect(Collectors.toList());
    }

    /** True when nothing accepts connections on {@code 127.0.0.1:port} any more. */
    public static boolean released(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }
}
