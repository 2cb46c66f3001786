package dev.caravan.tls;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.TlsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code redirectToHttps} on {@code caravan:} endpoints and {@code caravan.https.hsts}, on a real gateway loading
 * {@code docs/examples/https-redirect.yaml} plus a few routes of the test's own.
 */
class HttpsRedirectTest {

    private static final String HSTS = "max-age=31536000; includeSubDomains";

    @TempDir
    static Path temp;
    static TestBackend backend;
    static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("site");
        Path extra = temp.resolve("extra.yaml");
        Files.writeString(extra, """
                - route:
                    id: old
                    from:
                      uri: caravan:http?path=/old&redirectToHttps=301
                      steps:
                        - to: "caravan-forward:{{site.backend}}"
                - route:
                    id: plain
                    from:
                      uri: caravan:http?path=/plain&redirectToHttps=false
                      steps:
                        - to: "caravan-forward:{{site.backend}}"
                - route:
                    id: dead
                    from:
                      uri: caravan:https?path=/dead
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:1"
                """);
        gateway = RunningGateway.startWithCopies(temp, Map.of(
                        "site.backend", backend.url(),
                        "caravan.https.hsts", HSTS,
                        "caravan.tls.certs", temp.resolve("no-certs").toString()),
                Path.of("docs/examples/https-redirect.yaml"), extra);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void plainHttpGetsA308ToTheSameTargetOnTheHttpsPortWithoutRunningTheRoute() throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange(
                    "POST /cart/a%20b?q=a+b&x= HTTP/1.1\r\nHost: Shop.Example.com:8080\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals(308, response.status());
            assertEquals("https://shop.example.com:" + gateway.httpsPort() + "/cart/a%20b?q=a+b&x=",
                    response.header("Location"));
            assertNull(response.header("Strict-Transport-Security"), "HSTS is never sent over plain HTTP");
            // the connection stays usable: the unread body was consumed
            assertEquals(308, http.exchange("GET / HTTP/1.1\r\nHost: shop.example.com\r\n\r\n").status());
        }
        assertEquals(before, backend.requests().size(), "the route did not run: nothing reached the backend");
    }

    @Test
    void redirectStatusCanBe301AndRedirectCanBeOff() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response moved = http.exchange("GET /old/page HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
            assertEquals(301, moved.status());
            assertEquals("https://[::1]:" + gateway.httpsPort() + "/old/page", moved.header("Location"));
            RawHttp.Response plain = http.exchange("GET /plain HTTP/1.1\r\nHost: shop.example.com\r\n\r\n");
            assertEquals(200, plain.status());
            assertEquals("http", plain.echoedHeader("X-Forwarded-Proto"));
        }
    }

    @Test
    void aRedirectingRouteWithoutHttpsListenerStopsTheStart() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("no-https-routes"));
        Files.writeString(routes.resolve("redirect.yaml"), """
                - route:
                    id: only-http
                    from:
                      uri: caravan:http?redirectToHttps=true
                      steps:
                        - to: "caravan-forward:{{site.backend}}"
                """);
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> RunningGateway.start(
                routes, Map.of("caravan.https.enabled", "false", "site.backend", backend.url())).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        assertTrue(messages.toString().contains("No listener named 'https'"), messages.toString());
    }

    @Test
    void theRedirectTargetIsServedOverTlsWithHsts() throws Exception {
        try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "localhost")) {
            TlsClient.Response response = client.get("/cart", "shop.example.com");
            assertEquals(200, response.status(), response.body());
            assertEquals("https", response.echoedHeader("X-Forwarded-Proto"));
            assertEquals(HSTS, response.header("Strict-Transport-Security"));
        }
    }

    @Test
    void errorPagesOnTheHttpsListenerCarryHstsToo() throws Exception {
        try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "localhost")) {
            TlsClient.Response response = client.get("/dead", "shop.example.com");
            assertEquals(502, response.status(), response.body());
            assertEquals(HSTS, response.header("Strict-Transport-Security"));
        }
        try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "localhost")) {
            // two Host headers: rejected by the connection itself (400), before any route
            TlsClient.Response response = client.getWithHeader("/cart", "shop.example.com", "Host: other.example.com");
            assertEquals(400, response.status(), response.body());
            assertEquals(HSTS, response.header("Strict-Transport-Security"));
        }
    }
}
