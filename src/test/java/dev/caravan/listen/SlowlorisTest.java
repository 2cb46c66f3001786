package dev.caravan.listen;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand connections that each trickle a request head (a header byte every 300 ms, never finishing) are closed at
 * the header timeout, and ordinary clients are served meanwhile.
 */
class SlowlorisTest {

    private static final int SLOW = 1000;

    @Test
    void slowHeadsAreCutAtTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.start(Path.of("src/test/resources/routes/forwarding"), Map.of(
                     "backend.url", backend.url(), "dead.url", "http://127.0.0.1:1",
                     "caravan.client.headerTimeout", "2000"))) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < SLOW; i++) {
                    Socket socket = new Socket("127.0.0.1", gateway.port());
                    socket.getOutputStream().write("GET /slowloris HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    slow.add(socket);
                }
                long started = System.nanoTime();
                List<Long> latencies = new ArrayList<>();
                int open = SLOW;
                while (open > 0 && System.nanoTime() - started < 15_000_000_000L) {
                    open = 0;
                    for (Socket socket : slow) {
                        if (trickle(socket)) {
                            open++;
                        }
                    }
                    long t0 = System.nanoTime();
                    try (RawHttp http = new RawHttp(gateway.port())) {
                        assertEquals(200, http.exchange("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n").status());
                    }
                    latencies.add((System.nanoTime() - t0) / 1_000_000);
                    Thread.sleep(300);
                }
                long closedAfter = (System.nanoTime() - started) / 1_000_000;
                latencies.sort(null);
                System.out.printf("slowloris: %d slow connections closed after %d ms; %d ordinary requests meanwhile,"
                        + " max %d ms%n", SLOW, closedAfter, latencies.size(), latencies.get(latencies.size() - 1));
                assertEquals(0, open, "slow connections still open after " + closedAfter + " ms");
                assertTrue(closedAfter < 8000, "closed after " + closedAfter + " ms (header timeout 2000 ms)");
                assertTrue(backend.requests().stream().noneMatch(r -> r.uri().equals("/slowloris")));
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    /** Sends one more header byte; false once the gateway has closed the connection. */
    private static boolean trickle(Socket socket) {
        if (socket.isClosed()) {
            return false;
        }
        try {
            OutputStream out = socket.getOutputStream();
            out.write('X');
            out.flush();
            socket.setSoTimeout(1);
            try {
                if (socket.getInputStream().read() == -1) {
                    socket.close();
                    return false;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                return true;
            }
            // a 408 page arrived: the connection is being closed
            socket.close();
            return false;
        } catch (IOException closed) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
            return false;
        }
    }
}
