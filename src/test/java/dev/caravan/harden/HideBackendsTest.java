package dev.caravan.harden;

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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caravan-hide and caravan-security-headers (docs/examples/hide-backends.yaml) in front of a backend that gives
 * itself away: nothing identifying reaches the client, from the backend or from the gateway's own error pages.
 */
class HideBackendsTest {

    private static BrokenBackend dead;
    private static final List<String> IDENTIFYING = List.of("server", "x-powered-by", "x-aspnet-version",
            "x-aspnetmvc-version", "x-runtime", "x-backend-server", "via");

    @TempDir
    static Path temp;
    private static LeakyBackend leaky;
    private static TestBackend slow;
    private static RunningGateway gateway;
    private static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        leaky = new LeakyBackend();
        slow = TestBackend.start("slow");
        dead = BrokenBackend.refusing();
        deadPort = dead.port();
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/hide-backends.yaml"), dir.resolve("hide-backends.yaml"));
        Files.writeString(dir.resolve("errors.yaml"), """
                - route:
                    id: dead-backend
                    from:
                      uri: caravan:http?path=/dead
                      steps:
                        - to: "caravan-hide:?server=Caravan&replaceErrors=5xx"
                        - to: caravan-security-headers
                        - to: "caravan-forward:http://127.0.0.1:%1$d?connectTimeout=500"
                - route:
                    id: slow-backend
                    from:
                      uri: caravan:http?path=/slow
                      steps:
                        - to: "caravan-hide:?replaceErrors=5xx"
                        - to: "caravan-forward:%2$s?responseTimeout=300"
                - route:
                    id: every-error
                    from:
                      uri: caravan:http?path=/all
                      steps:
                        - to: "caravan-hide:backends?replaceErrors=all&alsoRemove=X-Backend-*"
                        - to: "caravan-forward:%3$s?stripPrefix=/all"
                - route:
                    id: route-made-error
                    from:
                      uri: caravan:http?path=/maintenance
                      steps:
                        - to: "caravan-hide:?replaceErrors=5xx"
                        - setHeader:
                            name: CamelHttpResponseCode
                            constant: 503
                        - setBody:
                            constant: "Back at 10:00."
                """.formatted(deadPort, slow.url(), leaky.url()));
        gateway = RunningGateway.start(dir, Map.of("shop.backend", leaky.url(), "admin.backend", leaky.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        slow.close();
        leaky.close();
        dead.close();
    }

    private static RawHttp.Response send(String method, String target, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: shop.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    /** Nothing in the status line, headers or body names the software, hosts, addresses or code behind the gateway. */
    private static void assertNothingLeaks(RawHttp.Response response) {
        StringBuilder all = new StringBuilder(response.statusLine()).append('\n');
        response.headers().forEach(h -> all.append(h.getKey()).append(": ").append(h.getValue()).append('\n'));
        all.append(response.bodyText());
        String text = all.toString();
        for (String secret : List.of("Apache", "PHP", "4.0.30319", "0.021334", "Tomcat", LeakyBackend.INTERNAL_HOST,
                LeakyBackend.INTERNAL_IP, "127.0.0.1", "Exception", "OrderDao", "jdbc:", ":" + deadPort)) {
            assertFalse(text.contains(secret), "'" + secret + "' leaked:\n" + text);
        }
        for (String name : IDENTIFYING) {
            if (!name.equals("server")) {
                assertFalse(response.headerNames().contains(name), name + " leaked:\n" + text);
            }
        }
    }

    @Test
    void identifyingHeadersAreGoneAndTheRestPasses() throws Exception {
        RawHttp.Response ok = send("GET", "/shop/");
        assertEquals(200, ok.status());
        assertEquals("<p>hello</p>", ok.bodyText());
        assertNothingLeaks(ok);
        assertNull(ok.header("Server"), "no Server header unless one is configured");
        assertEquals("3", ok.header("X-Request-Cost"), "other headers pass");
        assertEquals("text/html", ok.header("Content-Type"));
    }

    @Test
    void aBackendServerErrorGetsTheGatewayPageAndAStandardReasonPhrase() throws Exception {
        RawHttp.Response crash = send("GET", "/shop/crash");
        assertEquals("HTTP/1.1 500 Internal Server Error", crash.statusLine());
        assertNothingLeaks(crash);
        assertTrue(crash.bodyText().contains("<h1>500 Internal Server Error</h1>"), crash.bodyText());
        assertEquals("text/html; charset=utf-8", crash.header("Content-Type"));
        assertEquals(Integer.toString(crash.body().length), crash.header("Content-Length"));
        assertEquals("no-store", crash.header("Cache-Control"));
        assertNull(crash.header("ETag"), "a header that described the backend's body went with it");
        assertEquals("nosniff", crash.header("X-Content-Type-Options"), "security headers on the page too");

        RawHttp.Response json = send("GET", "/shop/crash", "Accept: application/json");
        assertEquals("application/json", json.header("Content-Type"));
        assertTrue(json.bodyText().startsWith("{\"status\":500"), json.bodyText());
        assertNothingLeaks(json);

        RawHttp.Response head = send("HEAD", "/shop/crash");
        assertEquals(500, head.status());
        assertNothingLeaks(head);
        // the connection is still usable after the replaced body (the HEAD answer had none)
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send("GET /shop/crash HTTP/1.1\r\nHost: shop.test\r\n\r\n"
                    + "GET /shop/ HTTP/1.1\r\nHost: shop.test\r\n\r\n");
            assertEquals(500, http.read().status());
            assertEquals("<p>hello</p>", http.read().bodyText());
        }
    }

    @Test
    void a4xxBodyPassesWithReplaceErrors5xxAndIsReplacedWithAll() throws Exception {
        RawHttp.Response passed = send("GET", "/shop/missing");
        assertEquals(404, passed.status());
        assertTrue(passed.bodyText().contains("Tomcat"), "replaceErrors=5xx leaves a 4xx body to the backend");
        assertNull(passed.header("Server"));
        RawHttp.Response replaced = send("GET", "/all/missing");
        assertEquals(404, replaced.status());
        assertNothingLeaks(replaced);
        assertTrue(replaced.bodyText().contains("404 Not Found"));
    }

    @Test
    void securityHeadersAreAddedWhereTheBackendSentNone() throws Exception {
        RawHttp.Response ok = send("GET", "/shop/");
        assertEquals("nosniff", ok.header("X-Content-Type-Options"));
        assertEquals("DENY", ok.header("X-Frame-Options"));
        assertEquals("strict-origin-when-cross-origin", ok.header("Referrer-Policy"));
        assertEquals("frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
                ok.header("Content-Security-Policy"));
        assertEquals("camera=(), microphone=(), geolocation=()", ok.header("Permissions-Policy"));

        RawHttp.Response framed = send("GET", "/shop/framed");
        assertEquals(List.of("SAMEORIGIN"), framed.headers("X-Frame-Options"), "the backend's own value wins");
        assertEquals(List.of("default-src 'self'"), framed.headers("Content-Security-Policy"));
        assertEquals("nosniff", framed.header("X-Content-Type-Options"));
    }

    @Test
    void ownServerValueAndTunedPolicies() throws Exception {
        RawHttp.Response admin = send("GET", "/admin/x");
        assertEquals(200, admin.status());
        assertEquals(List.of("Caravan"), admin.headers("Server"));
        assertEquals("SAMEORIGIN", admin.header("X-Frame-Options"));
        assertEquals("default-src 'self'; frame-ancestors 'self'", admin.header("Content-Security-Policy"));
        assertNull(admin.header("Permissions-Policy"), "off leaves it out");
        assertNull(admin.header("X-Powered-By"));
        assertEquals("3", admin.header("X-Request-Cost"));
    }

    @Test
    void theGatewaysOwnErrorPagesNameNothingInternal() throws Exception {
        RawHttp.Response dead = send("GET", "/dead/x");
        assertEquals(502, dead.status());
        assertNothingLeaks(dead);
        assertEquals("Caravan", dead.header("Server"));
        assertEquals("DENY", dead.header("X-Frame-Options"));
        assertTrue(dead.bodyText().contains("502 Bad Gateway"));

        RawHttp.Response timeout = send("GET", "/slow/5000");
        assertEquals(504, timeout.status());
        assertNothingLeaks(timeout);
        assertNull(timeout.header("Server"));

        RawHttp.Response noRoute = send("GET", "/nowhere");
        assertEquals(404, noRoute.status());
        assertNothingLeaks(noRoute);
        assertNull(noRoute.header("Server"));
    }

    @Test
    void aRouteMadeErrorKeepsItsBody() throws Exception {
        RawHttp.Response maintenance = send("GET", "/maintenance");
        assertEquals(503, maintenance.status());
        assertEquals("Back at 10:00.", maintenance.bodyText(), "only a backend's body is replaced");
    }

    @Test
    void theBackendSawEveryRequestOnce() throws Exception {
        int before = leaky.requests();
        send("GET", "/shop/crash");
        send("GET", "/shop/");
        assertEquals(before + 2, leaky.requests(), "a replaced 5xx body is not a retry");
    }

    @Test
    void headerNameListsAreChecked() {
        HideConfiguration configuration = new HideConfiguration();
        configuration.setAlsoRemove("X-Good, Bad Name");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                configuration::validate);
        assertTrue(e.getMessage().contains("'Bad Name'"), e.getMessage());
        SecurityHeadersConfiguration security = new SecurityHeadersConfiguration();
        security.setFrameOptions("DENY\r\nSet-Cookie: x=1");
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, security::headers)
                .getMessage().startsWith("frameOptions"));
    }
}
