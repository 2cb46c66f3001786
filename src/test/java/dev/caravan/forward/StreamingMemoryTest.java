package dev.caravan.forward;

import dev.caravan.testing.ForkedGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 200 MB each way through a gateway in its own JVM with a 64 MiB heap and 64 MiB of direct memory: bodies must
 * stream, so the transfer works and the process's resident memory does not grow with the body.
 */
class StreamingMemoryTest {

    private static final long SIZE = 200L * 1024 * 1024;
    private static final long RSS_GROWTH_LIMIT_KB = 64 * 1024;

    @TempDir
    static Path temp;
    private static TestBackend backend;
    private static ForkedGateway gateway;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("big");
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(routes.resolve("proxy.yaml"), """
                - route:
                    id: big
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:%s"
                """.formatted(backend.url()));
        gateway = ForkedGateway.start(temp, routes, List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"),
                "--caravan.https.enabled=false");
        port = gateway.port();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
    }

    @Test
    void downloadsStreamWithFlatMemory() throws Exception {
        for (String target : List.of("/download/" + SIZE, "/download/" + SIZE + "?chunked")) {
            RssSampler rss = new RssSampler(gateway.pid());
            HttpResponse<InputStream> response = client().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            CRC32 crc = new CRC32();
            long total = 0;
            byte[] buffer = new byte[65536];
            try (InputStream body = response.body()) {
                int n;
                while ((n = body.read(buffer)) > 0) {
                    crc.update(buffer, 0, n);
                    total += n;
                    rss.progress(total);
                }
            }
            assertEquals(SIZE, total, target);
            assertEquals(TestBackend.crcOfPattern(SIZE), crc.getValue(), target);
            rss.assertFlat(target);
        }
    }

    @Test
    void uploadsStreamWithFlatMemory() throws Exception {
        for (boolean chunked : new boolean[] {false, true}) {
            RssSampler rss = new RssSampler(gateway.pid());
            PatternStream source = new PatternStream(SIZE, rss);
            HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.ofInputStream(() -> source);
            if (!chunked) {
                publisher = HttpRequest.BodyPublishers.fromPublisher(publisher, SIZE);
            }
            HttpResponse<String> response = client().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
                            .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("body-bytes " + SIZE + "\n"), response.body());
            assertTrue(response.body().contains("body-crc " + TestBackend.crcOfPattern(SIZE) + "\n"));
            rss.assertFlat(chunked ? "chunked upload" : "content-length upload");
        }
    }

    @Test
    void aSlowClientThrottlesTheBackend() throws Exception {
        long before = backend.bytesStreamed();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.getOutputStream().write(("GET /download/" + SIZE + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes());
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            long read = 0;
            while (read < 4 * 1024 * 1024) {
                read += Math.max(0, in.read(buffer));
            }
            Thread.sleep(1500); // the client stops reading
            long streamed = backend.bytesStreamed() - before;
            assertTrue(streamed < read + 32L * 1024 * 1024,
                    "backend ran " + (streamed - read) / 1024 + " KiB ahead of a stalled client");
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Reads the gateway's VmRSS as a transfer progresses: once after 32 MB, and the maximum. */
    private static final class RssSampler {
        private final long pid;
        private long baselineKb = -1;
        private long maxKb;
        private long nextSampleAt = 32L * 1024 * 1024;

        RssSampler(long pid) {
            this.pid = pid;
        }

        void progress(long bytes) {
            if (bytes < nextSampleAt) {
                return;
            }
            nextSampleAt = bytes + 8L * 1024 * 1024;
            long kb = rssKb();
            if (baselineKb < 0) {
                baselineKb = kb;
            }
            maxKb = Math.max(maxKb, kb);
        }

        void assertFlat(String what) {
            assertTrue(baselineKb > 0, "no RSS sample for " + what);
            long growth = maxKb - baselineKb;
            System.out.printf("%s: gateway RSS %d MiB after 32 MB, max %d MiB over %d MB%n", what, baselineKb / 1024,
                    maxKb / 1024, SIZE / 1024 / 1024);
            assertTrue(growth < RSS_GROWTH_LIMIT_KB, what + ": RSS grew by " + growth / 1024 + " MiB");
        }

        private long rssKb() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("no VmRSS for " + pid);
        }
    }

    /** The backend's byte pattern as an upload body, reporting progress to the sampler. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private final RssSampler rss;
        private long position;

        PatternStream(long size, RssSampler rss) {
            this.size = size;
            this.rss = rss;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            return TestBackend.pattern(position++) & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = TestBackend.pattern(position + i);
            }
            position += n;
            rss.progress(position);
            return n;
        }
    }
}
