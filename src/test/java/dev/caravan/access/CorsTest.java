package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.send;
import static dev.caravan.access.AccessHttp.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caravan-cors (docs/examples/access-cors.yaml, in front of an API key check): preflights answered by the gateway
 * (204 with what is allowed, 403 without CORS headers otherwise, never a backend hit), CORS headers and
 * {@code Vary: Origin} on every other response including the 401 of the step after it, and the backend's own CORS
 * headers replaced by the policy's.
 */
class CorsTest {

    private static final String APP = "Origin: https://app.example.com";

    @TempDir
    static Path temp;
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        Path keys = Files.writeString(temp.resolve("keys.txt"), ApiKeyTest.sha256("web-key") + " web\n");
        backend = TestBackend.start("web");
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/access-cors.yaml"), routes.resolve("access-cors.yaml"));
        // a route that answers itself with a CORS header of its own, standing in for a backend that sets one
        Files.writeString(routes.resolve("self.yaml"), """
                - route:
                    id: self
                    from:
                      uri: caravan:http
                      parameters:
                        path: /self
                      steps:
                        - to: "caravan-cors:self?origins=https://app.example.com"
                        - setHeader:
                            name: Access-Control-Allow-Origin
                            constant: "*"
                        - setHeader:
                            name: CamelHttpResponseCode
                            constant: 200
                        - setBody:
                            constant: "made here"
                """);
        gateway = RunningGateway.start(routes, Map.of("app.backend", backend.url(), "web.keys", keys.toString()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static RawHttp.Response preflight(String origin, String method, String headers) throws Exception {
        return headers == null
                ? send(gateway, "OPTIONS", "/api/items", "Origin: " + origin, "Access-Control-Request-Method: " + method)
                : send(gateway, "OPTIONS", "/api/items", "Origin: " + origin, "Access-Control-Request-Method: " + method,
                "Access-Control-Request-Headers: " + headers);
    }

    @Test
    void anAllowedPreflightIsAnsweredByTheGatewayWithoutCredentials() throws Exception {
        backend.requests().clear();
        RawHttp.Response response = preflight("https://app.example.com", "PUT", "content-type,x-request-id");
        assertEquals(204, response.status());
        assertEquals("https://app.example.com", response.header("Access-Control-Allow-Origin"));
        assertEquals("true", response.header("Access-Control-Allow-Credentials"));
        assertEquals("GET, POST, PUT, DELETE", response.header("Access-Control-Allow-Methods"));
        assertEquals("content-type, authorization, x-request-id", response.header("Access-Control-Allow-Headers"));
        assertEquals("3600", response.header("Access-Control-Max-Age"));
        assertEquals(List.of("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"),
                response.headers("Vary"));
        assertNull(response.header("Content-Length"), "a 204 has no Content-Length");
        assertEquals(204, preflight("https://pr-12.preview.example.com", "DELETE", null).status(), "pattern");
        assertEquals(204, preflight("HTTPS://APP.EXAMPLE.COM", "GET", "Authorization").status(), "case");
        get(gateway, "/api/sentinel", "X-Api-Key: web-key");
        assertEquals(List.of("/api/sentinel"), targets(backend), "preflights never reach the backend");
    }

    @Test
    void aPreflightThePolicyDoesNotAllowGets403WithoutCorsHeaders() throws Exception {
        backend.requests().clear();
        String[][] refused = {
                {"https://evil.example.com", "GET", null},
                {"http://app.example.com", "GET", null},
                {"https://app.example.com.evil.com", "GET", null},
                {"https://app.example.com:8443", "GET", null},
                {"https://preview.example.com", "GET", null},
                {"https://evil.com/.preview.example.com", "GET", null},
                {"https://evil.com?.preview.example.com", "GET", null},
                {"https://user@x.preview.example.com", "GET", null},
                {"null", "GET", null},
                {"https://app.example.com", "PATCH", null},
                {"https://app.example.com", "GET", "content-type,x-secret"},
        };
        for (String[] row : refused) {
            RawHttp.Response response = preflight(row[0], row[1], row[2]);
            assertEquals(403, response.status(), String.join(" ", List.of(row[0], row[1], String.valueOf(row[2]))));
            assertNull(response.header("Access-Control-Allow-Origin"));
            assertNull(response.header("Access-Control-Allow-Methods"));
            assertTrue(response.headers("Vary").contains("Origin"));
        }
        get(gateway, "/api/sentinel", "X-Api-Key: web-key");
        assertEquals(List.of("/api/sentinel"), targets(backend));
    }

    @Test
    void actualResponsesGetTheCorsHeadersEvenWhenTheStepAfterDenies() throws Exception {
        RawHttp.Response ok = get(gateway, "/api/items", APP, "X-Api-Key: web-key");
        assertEquals(200, ok.status());
        assertEquals("https://app.example.com", ok.header("Access-Control-Allow-Origin"));
        assertEquals("true", ok.header("Access-Control-Allow-Credentials"));
        assertEquals("X-Request-Id", ok.header("Access-Control-Expose-Headers"));
        assertEquals(List.of("Origin"), ok.headers("Vary"));
        assertNull(ok.header("Access-Control-Allow-Methods"), "only preflights get the methods");

        RawHttp.Response denied = get(gateway, "/api/items", APP);
        assertEquals(401, denied.status(), "the API key step after the CORS step");
        assertEquals("https://app.example.com", denied.header("Access-Control-Allow-Origin"),
                "the page's script can read the 401");

        RawHttp.Response options = send(gateway, "OPTIONS", "/api/items", APP);
        assertEquals(401, options.status(), "OPTIONS without Access-Control-Request-Method is no preflight");
    }

    @Test
    void otherOriginsAndSameOriginRequestsGetNoCorsHeadersButVary() throws Exception {
        RawHttp.Response other = get(gateway, "/api/items", "Origin: https://evil.example.com", "X-Api-Key: web-key");
        assertEquals(200, other.status(), "the browser, not the gateway, keeps the answer from the other site");
        assertNull(other.header("Access-Control-Allow-Origin"));
        assertNull(other.header("Access-Control-Allow-Credentials"));
        assertEquals(List.of("Origin"), other.headers("Vary"));
        RawHttp.Response plain = get(gateway, "/api/items", "X-Api-Key: web-key");
        assertNull(plain.header("Access-Control-Allow-Origin"));
        assertEquals(List.of("Origin"), plain.headers("Vary"));
    }

    @Test
    void theRoutesOwnCorsHeadersAreReplacedByThePolicy() throws Exception {
        RawHttp.Response allowed = get(gateway, "/self", APP);
        assertEquals("made here", allowed.bodyText());
        assertEquals(List.of("https://app.example.com"), allowed.headers("Access-Control-Allow-Origin"));
        RawHttp.Response other = get(gateway, "/self", "Origin: https://evil.example.com");
        assertNull(other.header("Access-Control-Allow-Origin"), "not the * set behind the policy's back");
    }

    @Test
    void dangerousOrBrokenPoliciesFailTheRouteFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cors.yaml");
        String route = """
                - route:
                    id: cors
                    from:
                      uri: caravan:http
                      steps:
                        - to:
                            uri: caravan-cors:bad
                            parameters:
                              origins: "%s"
                              credentials: true
                        - to: "caravan-forward:http://127.0.0.1:1"
                """;
        Files.writeString(file, route.formatted("*"));
        IllegalStateException any = assertThrows(IllegalStateException.class, () -> RunningGateway.start(dir, Map.of()));
        assertTrue(any.getMessage().contains("cors.yaml:6: origins: * with credentials"), any.getMessage());
        Files.writeString(file, route.formatted("https://app.example.com/"));
        IllegalStateException path = assertThrows(IllegalStateException.class, () -> RunningGateway.start(dir,
                Map.of()));
        assertTrue(path.getMessage().contains("origins: 'https://app.example.com/' is not an origin"),
                path.getMessage());
    }
}
