package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deny rule on /admin, as a listener-wide guard (docs/examples/admin-guard.yaml) and as a route of its own, against
 * every way of spelling /admin: each is refused (403, or 400 for a path that cannot be given one meaning), and the
 * backend, which counts what it gets, sees none of them. Also: an exact-host route does not bypass the guard, and a
 * trailing dot in Host is the same host.
 */
class EncodingBypassTest {

    @TempDir
    static Path temp;
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("app");
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/admin-guard.yaml"), dir.resolve("admin-guard.yaml"));
        Files.writeString(dir.resolve("routes.yaml"), """
                - route:
                    id: internal-deny
                    from:
                      uri: caravan:http?path=/internal
                      steps:
                        - setHeader:
                            name: CamelHttpResponseCode
                            constant: 403
                - route:
                    id: app-host
                    from:
                      uri: caravan:http?host=app.example.test
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                - route:
                    id: admin-host
                    from:
                      uri: caravan:http?host=admin.example.com
                      steps:
                        - setHeader:
                            name: CamelHttpResponseCode
                            constant: 418
                        - setBody:
                            constant: admin host
                - route:
                    id: everything-else
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """);
        gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static int status(String target, String host) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "/admin", "/admin/", "/admin/x", "/admin?x=1", "/Admin", "/ADMIN", "/aDmIn/x",
        "/%61dmin", "/%61%64%6d%69%6e", "/%41DMIN",
        "/./admin", "/././admin/", "//admin", "///admin/x", "/x/../admin", "/x/y/../../admin",
        "/x/%2e%2e/admin", "/x/%2E%2E/admin", "/x/.%2e/admin", "/%2e/admin",
        "/admin;x", "/admin;jsessionid=1/x", "/x/..;/admin",
        "/admin%2f", "/admin%2Fx", "/%2fadmin", "/admin%5cx", "/x/%252e%252e/admin", "/%252e%252e/admin",
        "/../admin", "/x/../../admin", "/admin%00", "/admin#x", "/x\\..\\admin",
        "http://app.example.test/admin", "http://other/ADMIN/x",
    })
    void everySpellingOfAdminIsRefusedOnEveryHost(String target) throws Exception {
        int before = backend.requests().size();
        for (String host : new String[] {"app.example.test", "app.example.test.", "other.test"}) {
            int status = status(target, host);
            assertTrue(status == 403 || status == 400, target + " on " + host + " got " + status);
        }
        assertEquals(200, status("/sentinel", "other.test"));
        assertEquals(before + 1, backend.requests().size(), "only the sentinel reached the backend after " + target);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/internal", "/%69nternal/x", "/x/../internal", "//INTERNAL", "/internal;a"})
    void aRouteRuleSeesTheSameCanonicalPath(String target) throws Exception {
        assertEquals(403, status(target, "other.test"));
    }

    @Test
    void aTrailingDotInHostIsTheSameHost() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("GET /x HTTP/1.1\r\nHost: admin.example.com.\r\n\r\n");
            assertEquals(418, response.status());
            assertEquals("admin host", response.bodyText());
        }
    }

    @Test
    void theBackendStillGetsTheClientsBytes() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("GET /a/./b/%7e/c;p?q HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertEquals("/a/./b/%7e/c;p?q", response.echoed("target"), "normalised for rules, not for the backend");
        }
    }
}
