package dev.caravan.rewrite;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.ScriptedBackend;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/examples/rewrite-redirect.yaml through a real gateway: redirects, a regex rewrite, the backend's addresses. */
class RewriteRedirectTest {

    @TempDir
    static Path temp;
    private static TestBackend guide;
    private static ScriptedBackend api;
    private static final AtomicReference<String> apiUrl = new AtomicReference<>();
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        guide = TestBackend.start("guide");
        api = new ScriptedBackend(line -> {
            String target = line.split(" ")[1];
            return "HTTP/1.1 201 Created\r\nLocation: " + apiUrl.get() + "/service/v2/items/3\r\n"
                    + "Content-Location: /service/v2/items/3\r\nRefresh: 5; url=" + apiUrl.get() + "/service/v2\r\n"
                    + "Set-Cookie: s=1; Domain=internal.example.com; Path=/service/v2; HttpOnly\r\n"
                    + "X-Target: " + target + "\r\nContent-Length: 0\r\n\r\n";
        });
        apiUrl.set(api.url());
        gateway = RunningGateway.startWithCopies(temp, Map.of("guide.backend", guide.url(), "api.backend", api.url()),
                Path.of("docs/examples/rewrite-redirect.yaml"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        guide.close();
        api.close();
    }

    private static RawHttp.Response get(String target) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange("GET " + target + " HTTP/1.1\r\nHost: www.example.com:8080\r\n\r\n");
        }
    }

    @Test
    void aMovedSectionRedirectsWithTheRestOfThePathAndTheQuery() throws Exception {
        RawHttp.Response moved = get("/old-docs/setup/tls?lang=en");
        assertEquals(301, moved.status());
        assertEquals("https://docs.example.com/setup/tls?lang=en", moved.header("Location"));
        assertEquals("https://docs.example.com/", get("/old-docs").header("Location"), "the second rule");
    }

    @Test
    void aDirectoryWithoutItsSlashRedirectsToItOnTheSameHost() throws Exception {
        RawHttp.Response redirect = get("/guide?x=1");
        assertEquals(308, redirect.status());
        assertEquals("http://www.example.com:8080/guide/?x=1", redirect.header("Location"));
        int before = guide.requests().size();
        assertEquals(200, get("/guide/intro").status(), "with the slash it goes on");
        assertEquals(before + 1, guide.requests().size());
    }

    @Test
    void aRegexRewriteChangesWhatTheBackendGetsAndItsAddressesAreMappedBack() throws Exception {
        RawHttp.Response response = get("/api/v1/items?sort=name");
        assertEquals(201, response.status());
        assertEquals("/service/v2/items?sort=name", response.header("X-Target"), "rewritten, then stripped and based");
        assertEquals("http://www.example.com:8080/api/v2/items/3", response.header("Location"));
        assertEquals("/api/v2/items/3", response.header("Content-Location"));
        assertEquals("5; url=http://www.example.com:8080/api/v2", response.header("Refresh"));
        assertEquals("s=1; Domain=example.com; Path=/api/v2; HttpOnly", response.header("Set-Cookie"));
        assertTrue(api.requestLines().stream().anyMatch(l -> l.startsWith("GET /service/v2/items?sort=name ")));
    }
}
