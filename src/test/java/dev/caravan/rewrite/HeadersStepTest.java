package dev.caravan.rewrite;

import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The caravan-headers step (docs/examples/headers.yaml) edits both directions, error pages included. */
class HeadersStepTest {

    @TempDir
    static Path temp;
    private static BrokenBackend dead;
    private static TestBackend backend;
    private static RunningGateway gateway;
    private static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("app");
        dead = BrokenBackend.refusing();
        deadPort = dead.port();
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/headers.yaml"), dir.resolve("headers.yaml"));
        // the same response edits in front of a dead backend: the gateway's own 502 page gets them too
        Files.writeString(dir.resolve("dead.yaml"), """
                - route:
                    id: dead
                    from:
                      uri: caravan:http?path=/dead
                      steps:
                        - to: "caravan-headers:response?setIfAbsent=X-Frame-Options: DENY"
                        - to: "caravan-forward:http://127.0.0.1:%d?connectTimeout=500"
                """.formatted(deadPort));
        gateway = RunningGateway.start(dir, Map.of("app.backend", backend.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
        dead.close();
    }

    private static RawHttp.Response get(String target, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: h.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    @Test
    void editsWhatTheBackendGets() throws Exception {
        RawHttp.Response response = get("/app/x", "Cookie: session=secret", "X-Tenant: forged");
        assertEquals(200, response.status());
        assertEquals("acme", response.echoedHeader("X-Tenant"), "set replaces the client's value");
        assertEquals("127.0.0.1", response.echoedHeader("X-Client"), "a Simple expression, evaluated per request");
        assertNull(response.echoedHeader("Cookie"));
    }

    @Test
    void editsEveryResponseTheClientGets() throws Exception {
        RawHttp.Response response = get("/app/hop");
        assertEquals("DENY", response.header("X-Frame-Options"));
        assertEquals("nosniff", response.header("X-Content-Type-Options"));
        RawHttp.Response page = get("/dead/x");
        assertEquals(502, page.status());
        assertEquals("DENY", page.header("X-Frame-Options"), "the gateway's own error page is edited too");
    }
}
