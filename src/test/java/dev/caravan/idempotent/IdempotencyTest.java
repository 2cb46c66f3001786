package dev.caravan.idempotent;

import dev.caravan.testing.OriginBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idempotent replays through a real gateway and a backend that counts what reaches it. */
class IdempotencyTest {

    @TempDir
    static Path temp;
    private static OriginBackend origin;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginBackend.start();
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/idempotent.yaml"), routes.resolve("idempotent.yaml"));
        Files.copy(Path.of("src/test/resources/routes/idempotent/idempotent-test.yaml"),
                routes.resolve("idempotent-test.yaml"));
        gateway = RunningGateway.start(routes, Map.of("orders.backend", origin.url(), "origin.url", origin.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
    }

    static RawHttp.Response post(String target, String key, String body, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: idem.test\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n");
        if (key != null) {
            raw.append("Idempotency-Key: ").append(key).append("\r\n");
        }
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").append(body).toString());
        }
    }

    @Test
    void aRetryWithTheSameKeyGetsTheFirstReplyWithoutReachingTheBackend() throws Exception {
        RawHttp.Response first = post("/orders/replay", "\"k-1\"", "{\"item\":1}");
        assertEquals(200, first.status());
        assertEquals("/orders/replay hit 1", first.bodyText().trim());
        RawHttp.Response retry = post("/orders/replay", "\"k-1\"", "{\"item\":1}");
        assertEquals(200, retry.status());
        assertEquals(first.bodyText(), retry.bodyText());
        assertEquals("true", retry.header("Idempotent-Replayed"));
        assertNull(first.header("Idempotent-Replayed"));
        assertEquals(1, origin.hits("/orders/replay"));
        // the backend saw the body the client sent
        assertEquals("{\"item\":1}", origin.requests().getLast().content().toString(java.nio.charset.StandardCharsets.UTF_8));
        // another key is another request
        post("/orders/replay", "\"k-2\"", "{\"item\":1}");
        assertEquals(2, origin.hits("/orders/replay"));
        // no key: nothing changes
        post("/orders/replay", null, "{\"item\":1}");
        post("/orders/replay", null, "{\"item\":1}");
        assertEquals(4, origin.hits("/orders/replay"));
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefused() throws Exception {
        post("/orders/mismatch", "k-3", "{\"item\":1}");
        RawHttp.Response other = post("/orders/mismatch", "k-3", "{\"item\":2}");
        assertEquals(422, other.status());
        assertTrue(other.bodyText().contains("different request"), other.bodyText());
        assertEquals(1, origin.hits("/orders/mismatch"));
    }

    @Test
    void aDuplicateWhileTheFirstIsInFlightGets409() throws Exception {
        CompletableFuture<RawHttp.Response> first = CompletableFuture.supplyAsync(() -> call(
                "/orders/slow?delay=1500", "k-4"));
        awaitHits("/orders/slow", 1);
        RawHttp.Response duplicate = post("/orders/slow?delay=1500", "k-4", "{}");
        assertEquals(409, duplicate.status());
        assertEquals("1", duplicate.header("Retry-After"));
        assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
        assertEquals(1, origin.hits("/orders/slow"));
    }

    @Test
    void aDuplicateCanWaitForTheFirstAndGetItsReply() throws Exception {
        CompletableFuture<RawHttp.Response> first = CompletableFuture.supplyAsync(() -> call(
                "/waiting/slow?delay=1000", "k-5"));
        awaitHits("/waiting/slow", 1);
        RawHttp.Response duplicate = post("/waiting/slow?delay=1000", "k-5", "{}");
        assertEquals(200, duplicate.status());
        assertEquals("true", duplicate.header("Idempotent-Replayed"));
        assertEquals(first.get(10, TimeUnit.SECONDS).bodyText(), duplicate.bodyText());
        assertEquals(1, origin.hits("/waiting/slow"));
    }

    @Test
    void aKeyExpiresAfterItsTtl() throws Exception {
        post("/short/expiring", "k-6", "{}");
        assertEquals("true", post("/short/expiring", "k-6", "{}").header("Idempotent-Replayed"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RawHttp.Response later = null;
        while (System.nanoTime() < deadline) {
            later = post("/short/expiring", "k-6", "{}");
            if (later.header("Idempotent-Replayed") == null) {
                break;
            }
            Thread.sleep(200);
        }
        assertNull(later.header("Idempotent-Replayed"), "the key outlived its ttl");
        assertEquals("/short/expiring hit 2", later.bodyText().trim());
    }

    @Test
    void aKeyedRequestOverTheBodyLimitIsRefusedAndNotForwarded() throws Exception {
        String big = "x".repeat(65537);
        RawHttp.Response refused = post("/orders/big", "k-7", big);
        assertEquals(413, refused.status());
        StringBuilder chunked = new StringBuilder("POST /orders/big HTTP/1.1\r\nHost: idem.test\r\nIdempotency-Key: k-8\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 3; i++) {
            chunked.append("8000\r\n").append("y".repeat(0x8000)).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(413, http.exchange(chunked.toString()).status());
        }
        assertEquals(0, origin.hits("/orders/big"));
        // within the limit it goes through
        assertEquals(200, post("/orders/big", "k-9", "z".repeat(65536)).status());
        assertEquals(1, origin.hits("/orders/big"));
    }

    @Test
    void keysAreScopedSoOneClientCannotReplayAnothersReply() throws Exception {
        post("/scoped/mine", "k-10", "{}", "X-User: alice");
        RawHttp.Response bob = post("/scoped/mine", "k-10", "{}", "X-User: bob");
        assertNull(bob.header("Idempotent-Replayed"));
        assertEquals(2, origin.hits("/scoped/mine"));
        assertEquals("true", post("/scoped/mine", "k-10", "{}", "X-User: alice").header("Idempotent-Replayed"));
    }

    @Test
    void aMalformedKeyIs400() throws Exception {
        assertEquals(400, post("/orders/bad", "\"\"", "{}").status());
        assertEquals(0, origin.hits("/orders/bad"));
    }

    private static RawHttp.Response call(String target, String key) {
        try {
            return post(target, key, "{}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitHits(String path, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (origin.hits(path) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, origin.hits(path));
    }
}
