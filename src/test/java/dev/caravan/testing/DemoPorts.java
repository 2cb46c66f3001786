package dev.caravan.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Ports for the bundled demo backends ({@code demo.backend1.port}, {@code demo.backend2.port}). The route files name
 * them before anything binds, so they cannot be port 0: they are found free here, and when another process takes one
 * before the demo backends bind it, {@link #start} tries again with new ones.
 */
public final class DemoPorts {

    private static final int TRIES = 3;

    private DemoPorts() {
    }

    /** What {@link #start} started, and the properties (with the ports) it was started with. */
    public record Started(RunningGateway gateway, Map<String, String> properties) implements AutoCloseable {
        @Override
        public void close() {
            gateway.close();
        }
    }

    /** Calls {@code start} with {@code properties} plus two demo-backend ports, up to three times if a port was taken. */
    public static Started start(Map<String, String> properties, Function<Map<String, String>, RunningGateway> start) {
        for (int attempt = 1; ; attempt++) {
            Map<String, String> withPorts = new HashMap<>(properties);
            withPorts.put("demo.backend1.port", Integer.toString(freePort()));
            withPorts.put("demo.backend2.port", Integer.toString(freePort()));
            try {
                return new Started(start.apply(withPorts), withPorts);
            } catch (RuntimeException failed) {
                if (attempt == TRIES || !portTaken(failed)) {
                    throw failed;
                }
            }
        }
    }

    private static boolean portTaken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
