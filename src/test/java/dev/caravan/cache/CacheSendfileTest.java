package dev.caravan.cache;

import dev.caravan.testing.OriginBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TrustAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cached bodies kept in files (docs/examples/cache-sendfile.yaml) through a real gateway: a hit over plain HTTP/1.1
 * (sent as the file), over TLS and over HTTP/2 (sent as the mapped bytes) and for HEAD all answer the stored
 * response, byte for byte; small bodies stay in memory, and nothing is left in the directory.
 */
class CacheSendfileTest {

    private static final int LARGE = 300_000;
    private static OriginBackend origin;
    private static RunningGateway gateway;
    private static Path cacheDir;
    private static Path routes;

    @BeforeAll
    static void start() throws Exception {
        cacheDir = MemoryDirectory.create("sendfile-test");
        origin = OriginBackend.start();
        Path temp = Files.createTempDirectory("sendfile-routes");
        routes = temp.resolve("routes");
        gateway = RunningGateway.startWithCopies(temp, Map.of(
                "downloads.backend", origin.url(),
                "downloads.cacheDir", cacheDir.toString(),
                "caravan.tls.certs", Files.createTempDirectory("sendfile-certs").toString()),
                Path.of("docs/examples/cache-sendfile.yaml"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (origin != null) {
            origin.close();
        }
        MemoryDirectory.delete(cacheDir);
    }

    private static byte[] expected(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = OriginBackend.textAt(i);
        }
        return bytes;
    }

    private static RawHttp.Response send(String method, String target) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(method + " " + target + " HTTP/1.1\r\nHost: files.test\r\n\r\n");
        }
    }

    @Test
    void aLargeHitIsTheStoredBodyOverEveryKindOfConnection() throws Exception {
        String target = "/downloads/large?size=" + LARGE + "&cc=max-age%3D600";
        long before = MemoryDirectory.openFilesIn(cacheDir); // (the other test's files, when it ran first)
        RawHttp.Response miss = send("GET", target);
        assertEquals("caravan; fwd=miss; stored", miss.header("Cache-Status"));
        assertArrayEquals(expected(LARGE), miss.body());
        try (Stream<Path> left = Files.list(cacheDir)) {
            assertEquals(0, left.count(), "the body's file is unlinked as soon as it is made");
        }
        assertEquals(1, MemoryDirectory.openFilesIn(cacheDir) - before, "the stored body is one more open file");

        for (int i = 0; i < 3; i++) { // plain HTTP/1.1: the file itself (sendfile)
            RawHttp.Response hit = send("GET", target);
            assertTrue(hit.header("Cache-Status").startsWith("caravan; hit"), hit.header("Cache-Status"));
            assertEquals(String.valueOf(LARGE), hit.header("Content-Length"));
            assertArrayEquals(expected(LARGE), hit.body());
        }
        try (RawHttp http = new RawHttp(gateway.port())) { // HEAD, then GET on the same connection: no stray bytes
            RawHttp.Response head = http.exchange("HEAD " + target + " HTTP/1.1\r\nHost: files.test\r\n\r\n");
            assertEquals(String.valueOf(LARGE), head.header("Content-Length"));
            RawHttp.Response after = http.exchange("GET " + target + " HTTP/1.1\r\nHost: files.test\r\n\r\n");
            assertEquals(200, after.status());
            assertArrayEquals(expected(LARGE), after.body());
        }

        // TLS and h2: the mapped bytes (https URLs are keys of their own: the first request stores one more copy)
        URI secure = URI.create("https://localhost:" + gateway.httpsPort() + target);
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TrustAll.context()).build();
        assertArrayEquals(expected(LARGE), http11.send(HttpRequest.newBuilder(secure).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body());
        for (HttpClient.Version version : HttpClient.Version.values()) {
            HttpClient client = HttpClient.newBuilder().version(version).sslContext(TrustAll.context()).build();
            HttpResponse<byte[]> hit = client.send(HttpRequest.newBuilder(secure).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(version, hit.version());
            String status = hit.headers().firstValue("cache-status").orElse("");
            assertTrue(status.startsWith("caravan; hit"), status);
            assertArrayEquals(expected(LARGE), hit.body());
        }
        assertEquals(2, origin.hits("/large"));
        // still answered after the plain connection above is gone: the file stays open for the next hit
        assertArrayEquals(expected(LARGE), send("GET", target).body());
    }

    @Test
    void theProxyTemplatesCacheTakesItsDirectoryFromAProperty() throws Exception {
        Path dir = MemoryDirectory.create("template-sendfile");
        try (RunningGateway templated = RunningGateway.startWithCopies(Files.createTempDirectory("template-routes"),
                Map.of("catalog.backends", origin.url(), "caravan.cache.sendfileDir", dir.toString()),
                Path.of("docs/examples/proxy-cache.yaml"))) {
            String target = "/catalog/template?size=" + LARGE + "&cc=max-age%3D600";
            for (int i = 0; i < 2; i++) {
                try (RawHttp http = new RawHttp(templated.port())) {
                    RawHttp.Response response = http.exchange("GET " + target + " HTTP/1.1\r\nHost: t.test\r\n\r\n");
                    assertArrayEquals(expected(LARGE), response.body());
                }
            }
            assertEquals(1, MemoryDirectory.openFilesIn(dir), "--caravan.cache.sendfileDir reaches the template");
        } finally {
            MemoryDirectory.delete(dir);
        }
    }

    @Test
    void aRouteFileNamingADiskDirectoryIsRejectedOnReloadAndTheOldRoutesKeepServing() throws Exception {
        Path disk = MemoryDirectory.createOnDisk("disk-cache");
        int generation = gateway.reloader().generation();
        Path broken = routes.resolve("broken.yaml");
        Files.writeString(broken, """
                - route:
                    id: broken
                    from:
                      uri: caravan:http
                      parameters:
                        path: /broken
                      steps:
                        - to: caravan-cache:broken?sendfileDir=%s
                        - to: "caravan-forward:http://127.0.0.1:9"
                """.formatted(disk.toAbsolutePath()));
        try {
            dev.caravan.testing.Await.until(() -> gateway.reloader().lastError() != null, "the edit is rejected");
            String error = gateway.reloader().lastError();
            assertTrue(error.contains("must be on a memory filesystem"), error);
            assertTrue(error.contains("broken.yaml"), error);
            assertEquals(generation, gateway.reloader().generation(), "a rejected edit changed routes");
            String target = "/downloads/after-reject?size=1000&cc=max-age%3D600";
            assertArrayEquals(expected(1000), send("GET", target).body());
        } finally {
            Files.delete(broken);
            Files.delete(disk);
        }
    }

    @Test
    void aSmallBodyStaysInMemory() throws Exception {
        long before = MemoryDirectory.openFilesIn(cacheDir);
        String target = "/downloads/small?size=1000&cc=max-age%3D600";
        assertEquals("caravan; fwd=miss; stored", send("GET", target).header("Cache-Status"));
        RawHttp.Response hit = send("GET", target);
        assertTrue(hit.header("Cache-Status").startsWith("caravan; hit"));
        assertArrayEquals(expected(1000), hit.body());
        assertEquals(before, MemoryDirectory.openFilesIn(cacheDir));
    }
}
