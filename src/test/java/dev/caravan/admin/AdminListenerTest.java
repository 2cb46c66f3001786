package dev.caravan.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.testing.Await;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin listener of a real gateway: liveness, readiness that flips to 503 (naming the route) when every backend of
 * a pool is down and back when one returns, the live routes, backends and certificates as JSON, Basic auth with a
 * bcrypt users file, the address allow-list, and metrics turned off.
 */
class AdminListenerTest {

    @TempDir
    static Path temp;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestBackend backend;
    private static int backendPort;
    private static RunningGateway gateway;
    private static Path routes;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("admin-web");
        backendPort = backend.port();
        routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(routes.resolve("web.yaml"), """
                - route:
                    id: web
                    from:
                      uri: caravan:http?path=/web
                      steps:
                        - setHeader:
                            name: X-Step
                            constant: one
                        - to: "caravan-forward:%s?stripPrefix=/web&healthPath=/status/200&healthInterval=200&unhealthyThreshold=2&healthyThreshold=1"
                """.formatted(backend.url()));
        gateway = RunningGateway.start(routes, Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    static HttpResponse<String> get(int port, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(String path) {
        try {
            return get(gateway.adminPort(), path).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    @Test
    void livenessAndReadinessFlipWhenEveryBackendOfAPoolIsDown() throws Exception {
        HttpResponse<String> live = get(gateway.adminPort(), "/health/live");
        assertEquals(200, live.statusCode());
        assertEquals("UP", JSON.readTree(live.body()).get("status").asText());
        HttpResponse<String> ready = get(gateway.adminPort(), "/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals(1, JSON.readTree(ready.body()).get("generation").asInt());

        backend.close();
        Await.until(() -> status("/health/ready") == 503, "readiness 503 once the only backend is marked down");
        JsonNode down = JSON.readTree(get(gateway.adminPort(), "/health/ready").body());
        assertEquals("DOWN", down.get("status").asText());
        assertEquals("route web: no usable backend (http://127.0.0.1:" + backendPort + ")",
                down.get("reasons").get(0).asText());
        assertEquals(200, status("/health/live"), "the process is still alive");

        backend = TestBackend.startOn("admin-web", backendPort);
        Await.until(() -> status("/health/ready") == 200, "readiness back once the backend answers its check");
    }

    @Test
    void theLiveRoutesAsJson() throws Exception {
        HttpResponse<String> response = get(gateway.adminPort(), "/admin/routes");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode json = JSON.readTree(response.body());
        assertEquals(1, json.get("generation").asInt());
        assertEquals(routes.resolve("web.yaml").toString(), json.get("files").get(0).asText());
        JsonNode web = json.get("routes").get(0);
        assertEquals("web", web.get("id").asText());
        assertTrue(web.get("source").asText().endsWith("web.yaml:1"), web.get("source").asText());
        assertEquals("http", web.get("listeners").get(0).asText());
        assertEquals("*", web.get("host").asText());
        assertEquals("/web", web.get("path").asText());
        assertEquals("setHeader", web.get("steps").get(0).asText());
        assertEquals("to caravan-forward:" + backend.url(), web.get("steps").get(1).asText(), "options left out");
        assertEquals("http://127.0.0.1:" + backendPort, web.get("backends").get(0).get(0).asText());
    }

    @Test
    void backendsAndCertificatesAsJson() throws Exception {
        JsonNode backends = JSON.readTree(get(gateway.adminPort(), "/admin/backends").body());
        assertEquals("http://127.0.0.1:" + backendPort, backends.get("backends").get(0).get("origin").asText());
        JsonNode certificates = JSON.readTree(get(gateway.adminPort(), "/admin/certificates").body());
        JsonNode development = certificates.get("certificates").get(0);
        assertEquals("localhost", development.get("hostnames").get(0).asText());
        assertTrue(development.get("daysLeft").asInt() > 0);
        assertTrue(development.get("notAfter").asText().matches("\\d{4}-.*Z"));
    }

    @Test
    void onlyGetAndHeadAndUnknownPathsAre404() throws Exception {
        HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.adminPort() + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals(404, status("/nothing"));
        HttpResponse<Void> head = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.adminPort() + "/health/live")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
    }

    @Test
    void basicAuthWithABcryptUsersFileLeavesTheHealthChecksOpen() throws Exception {
        Path users = temp.resolve("admin-users");
        Files.writeString(users, "# admin users\nops:" + BCrypt.hashpw("s3cret", BCrypt.gensalt(4)) + "\n");
        try (RunningGateway secured = RunningGateway.start(routes, Map.of("caravan.admin.users", users.toString(),
                "caravan.https.enabled", "false"))) {
            HttpResponse<String> none = get(secured.adminPort(), "/metrics");
            assertEquals(401, none.statusCode());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="));
            assertEquals(401, get(secured.adminPort(), "/admin/routes", "Authorization", basic("ops", "wrong"))
                    .statusCode());
            assertEquals(401, get(secured.adminPort(), "/", "Authorization", basic("root", "s3cret")).statusCode());
            HttpResponse<String> metrics = get(secured.adminPort(), "/metrics", "Authorization", basic("ops", "s3cret"));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("caravan_routes_generation"));
            assertEquals(200, get(secured.adminPort(), "/health/ready").statusCode(), "probes carry no credentials");
            assertEquals(200, get(secured.adminPort(), "/health/live").statusCode());
        }
    }

    @Test
    void anAddressOutsideTheAllowListCannotConnect() throws Exception {
        try (RunningGateway fenced = RunningGateway.start(routes, Map.of("caravan.admin.allow", "10.0.0.0/8, ::1",
                "caravan.https.enabled", "false"))) {
            assertThrows(IOException.class, () -> get(fenced.adminPort(), "/health/live"));
            // the gateway itself serves as usual
            assertEquals(200, fenced.get("/web/x").status());
        }
    }

    @Test
    void metricsTurnedOff() throws Exception {
        try (RunningGateway quiet = RunningGateway.start(routes, Map.of("caravan.metrics.enabled", "false",
                "caravan.https.enabled", "false"))) {
            assertEquals(200, quiet.get("/web/x").status());
            HttpResponse<String> metrics = get(quiet.adminPort(), "/metrics");
            assertEquals(404, metrics.statusCode());
            assertTrue(metrics.body().contains("caravan.metrics.enabled=false"));
            assertEquals(200, get(quiet.adminPort(), "/health/ready").statusCode());
            assertTrue(get(quiet.adminPort(), "/").body().contains("Metrics are off"));
        }
    }

    @Test
    void theAdminListenerCanBeTurnedOff() {
        try (RunningGateway none = RunningGateway.start(routes, Map.of("caravan.admin.enabled", "false",
                "caravan.https.enabled", "false"))) {
            assertEquals(-1, none.adminPort());
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
