package dev.caravan.listen;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client that stops sending its body, or stops reading its response, loses the connection after the idle timeout. */
class StalledClientTest {

    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b1");
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/forwarding"), Map.of(
                "backend.url", backend.url(), "dead.url", "http://127.0.0.1:1", "caravan.client.bodyTimeout", "1000", "caravan.client.sendTimeout", "1000"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void aClientThatStopsSendingItsBodyIsCutOff() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"
                    + "only ten..").getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // an error page may come first; what matters is the close
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 5000, "a stalled upload held the connection for " + millis + " ms");
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffAndReleasesTheBackend() throws Exception {
        long size = 200L * 1024 * 1024;
        long before = backend.bytesStreamed();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setReceiveBufferSize(32 * 1024);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /download/" + size + " HTTP/1.1\r\nHost: t\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(3000); // reads nothing
            long read = 0;
            byte[] buffer = new byte[65536];
            int n;
            InputStream in = socket.getInputStream();
            while ((n = in.read(buffer)) != -1) {
                read += n;
            }
            assertTrue(read < size, "the whole body arrived although the client stalled");
        }
        long streamed = backend.bytesStreamed() - before;
        Thread.sleep(500);
        assertEquals(streamed, backend.bytesStreamed() - before, "the backend kept streaming after the cut-off");
        assertTrue(streamed < size, "the backend streamed everything");
    }
}
