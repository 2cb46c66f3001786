package dev.caravan.observe;

import dev.caravan.testing.Await;
import dev.caravan.testing.ForkedGateway;
import dev.caravan.testing.MessageHead;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a gateway in its own JVM while it holds slow requests and streaming downloads: readiness answers 503
 * first, a new connection is then refused (not accepted and dropped), every request in flight completes with its whole
 * body, and the process exits 0 within the grace period.
 */
class GracefulShutdownTest {

    @TempDir
    Path temp;

    @Test
    void sigtermDrainsInFlightRequestsAndRefusesNewConnections() throws Exception {
        try (TestBackend backend = TestBackend.start("draining")) {
            Path routes = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(routes.resolve("app.yaml"), """
                    - route:
                        id: app
                        from:
                          uri: caravan:http?path=/app
                          steps:
                            - to: "caravan-forward:%s?stripPrefix=/app"
                    """.formatted(backend.url()));
            ForkedGateway gateway = ForkedGateway.start(temp, routes, List.of("-Xmx256m"),
                    "--caravan.https.enabled=false", "--caravan.shutdown.grace=15000");
            int adminPort = gateway.adminPort();
            ExecutorService clients = Executors.newFixedThreadPool(12);
            try {
                assertEquals(200, status(adminPort, "/health/ready"));
                List<Future<String>> inFlight = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    inFlight.add(clients.submit(() -> slowRequest(gateway.port(), 2500)));
                }
                for (int i = 0; i < 4; i++) {
                    inFlight.add(clients.submit(() -> download(gateway.port(), 8_000_000)));
                }
                Await.until(() -> backend.requests().size() >= 12, "12 requests at the backend");

                gateway.terminate();
                Await.until(() -> status(adminPort, "/health/ready") == 503, "readiness 503 after SIGTERM");
                Await.until(() -> refused(gateway.port()), "new connections refused");
                assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", gateway.port()).close(),
                        "a new connection is refused, not accepted and dropped");

                for (Future<String> request : inFlight) {
                    assertEquals("ok", request.get(), "every request in flight completes; log:\n" + gateway.log());
                }
                assertEquals(0, gateway.awaitExit(Duration.ofSeconds(30)), "exit code; log:\n" + gateway.log());
                assertTrue(!gateway.log().contains("ERROR") && !gateway.log().contains("LEAK:"), gateway.log());
            } finally {
                clients.shutdownNow();
                gateway.close();
            }
        }
    }

    /** A request the backend answers after {@code millis}: "ok" when it came back whole with 200. */
    private static String slowRequest(int port, int millis) throws IOException {
        try (RawHttp raw = new RawHttp(port)) {
            RawHttp.Response response = raw.exchange("GET /app/slow/" + millis + " HTTP/1.1\r\nHost: t\r\n\r\n");
            return response.status() == 200 ? "ok" : "status " + response.status();
        }
    }

    /** A download read at a modest pace (so it is still streaming when the signal comes), checked by CRC. */
    private static String download(int port, long length) throws IOException, InterruptedException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /app/download/" + length + " HTTP/1.1\r\nHost: t\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = MessageHead.read(in);
            if (head == null || !head.startsWith("HTTP/1.1 200")) {
                return "head " + head;
            }
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            while (read < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
                if (n < 0) {
                    return "cut after " + read + " bytes";
                }
                crc.update(buffer, 0, n);
                read += n;
                if (read % (1024 * 1024) < n) {
                    Thread.sleep(150); // about 1.2 s for 8 MB: still streaming when the signal comes
                }
            }
            return crc.getValue() == TestBackend.crcOfPattern(length) ? "ok" : "corrupt";
        }
    }

    private static boolean refused(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static int status(int adminPort, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                    + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
