package dev.caravan.config;

import dev.caravan.testing.Await;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A save never pauses traffic (issue 8, defect 1): the changed file's new routes take new requests at once, while the
 * old ones finish what they hold in the background, however long that takes.
 */
class NoPauseReloadTest {

    private static final int CLIENTS = 4;

    @TempDir
    Path temp;

    private static String slowRoute(int edit) {
        return """
                - route:
                    id: slow
                    from:
                      uri: caravan:http
                      parameters:
                        path: /slow
                      steps:
                        - setHeader:
                            name: X-Edit
                            constant: "%d"
                        - to: "caravan-forward:{{backend.url}}"
                """.formatted(edit);
    }

    private static final String FAST_ROUTE = """
            - route:
                id: fast
                from:
                  uri: caravan:http
                  parameters:
                    path: /fast
                  steps:
                    - to: "caravan-forward:{{backend.url}}"
            """;

    /**
     * The scenario: a 12 s backend delay, and ten saves spread over it (each one waits for the previous to
     * apply, so every one happens while the slow request is in flight): the p99 of /fast during the saves stays
     * within 20 ms of its p99 without saves, the slow request gets its whole answer, nothing fails.
     */
    @Test
    void tenSavesOfOneFileDoNotPauseTheOthers() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path slowFile = dir.resolve("slow.yaml");
            Files.writeString(slowFile, slowRoute(0));
            Files.writeString(dir.resolve("fast.yaml"), FAST_ROUTE);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                measure(gateway, Duration.ofSeconds(1), () -> { });   // warm-up
                List<Long> quiet = measure(gateway, Duration.ofSeconds(4), () -> { });

                RawHttp slow = new RawHttp(gateway.port());
                slow.send("GET /slow/12000 HTTP/1.1\r\nHost: t\r\n\r\n");
                Await.until(() -> backend.requests().stream().anyMatch(r -> r.uri().equals("/slow/12000")),
                        "slow request reached the backend");
                long slowSent = System.nanoTime();
                List<Long> saving = measure(gateway, null, () -> {
                    for (int edit = 1; edit <= 10; edit++) {
                        int expected = gateway.reloader().generation() + 1;
                        Files.writeString(slowFile, slowRoute(edit));
                        Await.until(() -> gateway.reloader().generation() == expected, "save " + expected + " applied");
                        Thread.sleep(250);
                    }
                });
                long savesDoneMillis = (System.nanoTime() - slowSent) / 1_000_000;
                assertTrue(savesDoneMillis < 12000, "the saves took " + savesDoneMillis + " ms, longer than the slow request");

                RawHttp.Response response = slow.read();
                slow.close();
                assertEquals(200, response.status());
                assertEquals("slow 12000\n", response.bodyText());

                long p99Quiet = percentile(quiet, 99);
                long p99Saving = percentile(saving, 99);
                System.out.printf("NoPauseReloadTest: /fast p99 %.2f ms without saves (%d requests), %.2f ms during "
                                + "10 saves (%d requests); max %.2f ms / %.2f ms%n", p99Quiet / 1e6, quiet.size(),
                        p99Saving / 1e6, saving.size(), Collections.max(quiet) / 1e6, Collections.max(saving) / 1e6);
                assertTrue(saving.size() > 200, "only " + saving.size() + " requests during the saves");
                assertTrue(p99Saving - p99Quiet <= 20_000_000L, "p99 of /fast rose from " + p99Quiet / 1e6
                        + " ms to " + p99Saving / 1e6 + " ms during the saves");

                // the old generations drain away and the route takes its own id back; the last save serves
                Await.until(() -> gateway.reloader().settled(), "old generations drained");
                assertEquals("10", gateway.get("/slow?x").echoedHeader("X-Edit"));
                assertTrue(gateway.context().getRoute("slow") != null, "route runs under its own id again");
                assertEquals(2, gateway.context().getRoutes().size(), "leftover routes: " + gateway.context().getRoutes());
            }
        }
    }

    @Test
    void aLongDownloadStartedBeforeASaveFinishesAfterIt() throws Exception {
        long size = 64L * 1024 * 1024;
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path file = dir.resolve("download.yaml");
            Files.writeString(file, downloadRoute("v1"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()));
                 Socket client = new Socket("127.0.0.1", gateway.port())) {
                client.getOutputStream().write(("GET /download/" + size + " HTTP/1.1\r\nHost: t\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = client.getInputStream();
                long contentLength = readHead(in);
                assertEquals(size, contentLength);
                CRC32 crc = new CRC32();
                long read = readBody(in, crc, 1024 * 1024);

                Files.writeString(file, downloadRoute("v2"));
                Await.until(() -> gateway.reloader().generation() == 2, "save applied");
                assertEquals("v2", gateway.get("/download").echoedHeader("X-Version"));
                // the old route keeps the download; a temporary copy of the new one may be retiring beside it
                Await.until(() -> gateway.reloader().retiredRoutes() == 1, "the old route still streams the download");

                read += readBody(in, crc, size - read);
                assertEquals(size, read);
                assertEquals(TestBackend.crcOfPattern(size), crc.getValue());
                Await.until(() -> gateway.reloader().retiredRoutes() == 0, "old route forgotten once the download ended");
            }
        }
    }

    @Test
    void aRetiredRouteCutsItsLastClientsAfterTheDrainTimeout() throws Exception {
        long size = 256L * 1024 * 1024;
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path file = dir.resolve("download.yaml");
            Files.writeString(file, downloadRoute("v1"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url(),
                    "caravan.routes.drainTimeout", "1000"));
                 Socket client = new Socket("127.0.0.1", gateway.port())) {
                client.setSoTimeout(20_000);
                client.getOutputStream().write(("GET /download/" + size + " HTTP/1.1\r\nHost: t\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = client.getInputStream();
                readHead(in);
                long read = readBody(in, new CRC32(), 1024 * 1024);
                Files.writeString(file, downloadRoute("v2"));
                Await.until(() -> gateway.reloader().generation() == 2, "save applied");
                long saved = System.nanoTime();
                // the client stops reading; after the drain timeout its connection is closed
                Await.until(() -> gateway.reloader().retiredRoutes() == 0, "retired route cut its client");
                long cutAfter = (System.nanoTime() - saved) / 1_000_000;
                try {
                    read += readBody(in, new CRC32(), size - read);
                } catch (IOException reset) {
                    // a reset is a cut too
                }
                assertTrue(read < size, "the download was not cut");
                assertTrue(cutAfter >= 900, "cut after " + cutAfter + " ms, before the drain timeout");
            }
        }
    }

    private static String downloadRoute(String version) {
        return """
                - route:
                    id: files
                    from:
                      uri: caravan:http
                      parameters:
                        path: /download
                      steps:
                        - setHeader:
                            name: X-Version
                            constant: %s
                        - to: "caravan-forward:{{backend.url}}"
                """.formatted(version);
    }

    /** Reads a response head; returns its Content-Length. */
    private static long readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200"), text);
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        throw new AssertionError("no Content-Length in " + text);
    }

    private static long readBody(InputStream in, CRC32 crc, long bytes) throws IOException {
        byte[] buffer = new byte[65536];
        long read = 0;
        while (read < bytes) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, bytes - read));
            if (n < 0) {
                break;
            }
            crc.update(buffer, 0, n);
            read += n;
        }
        return read;
    }

    private interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@value #CLIENTS} keep-alive clients on /fast while {@code during} runs (or for {@code duration}); returns
     * each request's latency in nanoseconds. Any failed request fails the test.
     */
    private static List<Long> measure(RunningGateway gateway, Duration duration, Action during) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> latencies = new CopyOnWriteArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            loops.add(clients.submit(() -> {
                RawHttp raw = null;
                int i = 0;
                while (running.get()) {
                    try {
                        if (raw == null) {
                            raw = new RawHttp(gateway.port());
                        }
                        long started = System.nanoTime();
                        RawHttp.Response response = raw.exchange("GET /fast/c" + client + "/" + i++
                                + " HTTP/1.1\r\nHost: t\r\n\r\n");
                        latencies.add(System.nanoTime() - started);
                        if (response.status() != 200) {
                            failures.add("/fast -> " + response.status());
                        }
                        if ("close".equalsIgnoreCase(response.header("Connection"))) {
                            raw.close(); // the gateway ends a connection after caravan.client.maxRequestsPerConnection
                            raw = null;
                        }
                    } catch (Exception e) {
                        failures.add("/fast -> " + e);
                        raw = null;
                    }
                }
                if (raw != null) {
                    raw.close();
                }
                return null;
            }));
        }
        try {
            if (duration != null) {
                Thread.sleep(duration.toMillis());
            }
            during.run();
        } finally {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get();
            }
            clients.shutdown();
        }
        assertEquals(List.of(), failures, "requests failed");
        return latencies;
    }

    private static long percentile(List<Long> values, int percentile) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
    }

}
