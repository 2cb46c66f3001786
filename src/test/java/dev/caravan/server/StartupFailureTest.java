package dev.caravan.server;

import dev.caravan.testing.ForkedCaravan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A start-up failure (issue 8, defect 5) ends the process within 5 s, non-zero, with one ERROR line naming the cause
 * and none of camel-main's shutdown-hook chatter.
 */
class StartupFailureTest {

    @TempDir
    Path temp;

    @Test
    void aBadRouteFile() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(routes.resolve("bad.yaml"), """
                - route:
                    id: bad
                    from:
                      uri: caravan:http
                      steps:
                        - forwardd: x
                """);
        ForkedCaravan.Result result = ForkedCaravan.run(temp, "--caravan.routes.dir=" + routes,
                "--caravan.http.host=127.0.0.1", "--caravan.http.port=0", "--caravan.https.enabled=false");
        assertFailedFast(result, routes.resolve("bad.yaml") + ":6", "forwardd");
    }

    @Test
    void aPortInUse() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            ForkedCaravan.Result result = ForkedCaravan.run(temp, "--caravan.routes.dir=" + routes,
                    "--caravan.http.host=127.0.0.1", "--caravan.http.port=" + taken.getLocalPort(),
                    "--caravan.https.enabled=false");
            assertFailedFast(result, "Listener 'http' cannot bind 127.0.0.1:" + taken.getLocalPort()
                    + ": address in use");
        }
    }

    /** A route's own port taken (a netty-http consumer, as the demo backends are): the file, line and route named. */
    @Test
    void aRoutesPortInUse() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Files.writeString(routes.resolve("backend.yaml"), """
                    - route:
                        id: backend
                        from:
                          uri: "netty-http:http://127.0.0.1:%d/"
                          steps:
                            - setBody:
                                constant: "hello"
                    """.formatted(taken.getLocalPort()));
            ForkedCaravan.Result result = ForkedCaravan.run(temp, "--caravan.routes.dir=" + routes,
                    "--caravan.http.host=127.0.0.1", "--caravan.http.port=0", "--caravan.https.enabled=false");
            assertFailedFast(result, "Caravan did not start: " + routes.resolve("backend.yaml")
                    + ":1: route backend did not start: Address already in use");
            assertTrue(result.lines("previous routes keep serving").isEmpty(), "no previous routes at a start:\n"
                    + result.output());
        }
    }

    @Test
    void aBadCertificate() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Path certs = Files.createDirectories(temp.resolve("certs"));
        Files.writeString(certs.resolve("example.com.crt"), "-----BEGIN CERTIFICATE-----\nnot a certificate\n"
                + "-----END CERTIFICATE-----\n");
        Files.writeString(certs.resolve("example.com.key"), "-----BEGIN PRIVATE KEY-----\nnot a key\n"
                + "-----END PRIVATE KEY-----\n");
        ForkedCaravan.Result result = ForkedCaravan.run(temp, "--caravan.routes.dir=" + routes,
                "--caravan.http.host=127.0.0.1", "--caravan.http.port=0", "--caravan.https.port=0",
                "--caravan.tls.certs=" + certs);
        assertFailedFast(result, "example.com");
    }

    private static void assertFailedFast(ForkedCaravan.Result result, String... cause) {
        System.out.printf("StartupFailureTest: exit %d after %d ms; %s%n", result.exitCode(), result.millis(),
                result.lines(" ERROR "));
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.millis() < 5000, "exit after " + result.millis() + " ms:\n" + result.output());
        List<String> errors = result.lines(" ERROR ");
        assertEquals(1, errors.size(), "ERROR lines:\n" + result.output());
        for (String fragment : cause) {
            assertTrue(errors.get(0).contains(fragment), "'" + fragment + "' not in: " + errors.get(0));
        }
        assertTrue(result.lines("shutdown hook").isEmpty() && result.lines("Waiting for CamelContext").isEmpty()
                && result.lines("\tat ").isEmpty(), result.output());
    }
}
