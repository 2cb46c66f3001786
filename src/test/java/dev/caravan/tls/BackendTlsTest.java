package dev.caravan.tls;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.tls.TestCertificates.Issued;
import dev.caravan.tls.TestCertificates.KeyFormat;
import dev.caravan.tls.TestCertificates.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code https://} backends over real TLS: self-signed backends made at test time ({@link TlsBackend}), one gateway
 * that trusts nothing but the JDK's CAs and one that trusts the test CA bundle via {@code caravan.backend.tls.trust}
 * and presents a client certificate via {@code caravan.backend.tls.cert}/{@code .key}.
 */
class BackendTlsTest {

    @TempDir
    static Path temp;
    /** Certificate for "localhost": the name the routes connect to. */
    static TlsBackend trusted;
    /** Trusted CA, but its certificate names "other.test": hostname verification must refuse it. */
    static TlsBackend misnamed;
    /** Requires a client certificate from the gateway. */
    static TlsBackend strict;
    static RunningGateway defaultTrust;
    static RunningGateway customTrust;

    @BeforeAll
    static void start() throws Exception {
        Issued localhost = TestCertificates.issue(0x5001, KeyType.EC, "localhost");
        Issued other = TestCertificates.issue(0x5002, KeyType.RSA, "other.test");
        Issued gatewayClient = TestCertificates.issue(0x5003, KeyType.EC, "caravan-gateway");
        trusted = new TlsBackend("trusted", localhost, null);
        misnamed = new TlsBackend("misnamed", other, null);
        strict = new TlsBackend("strict", localhost, gatewayClient.certificate());
        Path bundle = temp.resolve("backend-cas.pem");
        Files.writeString(bundle, localhost.certificatePem() + other.certificatePem());
        gatewayClient.writeTo(temp, "gateway-client", "crt", KeyFormat.TRADITIONAL);

        defaultTrust = startGateway("default", Map.of());
        customTrust = startGateway("custom", Map.of(
                "caravan.backend.tls.trust", bundle.toString(),
                "caravan.backend.tls.cert", temp.resolve("gateway-client.crt").toString(),
                "caravan.backend.tls.key", temp.resolve("gateway-client.key").toString()));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{defaultTrust, customTrust, trusted, misnamed, strict}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @Test
    void selfSignedBackendIsRefusedWithTheDefaultTrustStore() throws Exception {
        RawHttp.Response response = get(defaultTrust, "/ok/default-trust");
        assertEquals(502, response.status(), response.bodyText());
        assertTrue(!trusted.targets.contains("/ok/default-trust"), "nothing reached the backend");
    }

    @Test
    void backendSignedByTheConfiguredCaIsReachedWithSniAndTheResponseComesBack() throws Exception {
        RawHttp.Response response = get(customTrust, "/ok");
        assertEquals(200, response.status(), response.bodyText());
        assertTrue(response.bodyText().startsWith("trusted /ok\n"), response.bodyText());
        assertTrue(trusted.sniNames.contains("localhost"), "SNI names the backend host: " + trusted.sniNames);
        // the pooled TLS connection is reused for the next request
        assertEquals(200, get(customTrust, "/ok").status());
    }

    @Test
    void certificateNotNamingTheHostIsRefused() throws Exception {
        RawHttp.Response response = get(customTrust, "/misnamed");
        assertEquals(502, response.status(), response.bodyText());
        assertTrue(misnamed.targets.isEmpty(), "no request was sent to a backend that failed verification");
    }

    @Test
    void refusedHandshakeFailsOverToTheNextBackend() throws Exception {
        // round-robin over [misnamed, trusted]: every request ends at the trusted one, none fails
        for (int i = 0; i < 4; i++) {
            RawHttp.Response response = get(customTrust, "/failover");
            assertEquals(200, response.status(), response.bodyText());
            assertTrue(response.bodyText().startsWith("trusted /failover"), response.bodyText());
        }
    }

    @Test
    void clientCertificateIsPresentedToABackendThatRequiresOne() throws Exception {
        RawHttp.Response response = get(customTrust, "/strict");
        assertEquals(200, response.status(), response.bodyText());
        assertTrue(response.bodyText().contains("CN=caravan-gateway"), response.bodyText());
    }

    @Test
    void activeHealthCheckReachesAnHttpsBackend() throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!trusted.targets.contains("/healthz") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(trusted.targets.contains("/healthz"), "health check over TLS: " + trusted.targets);
    }

    @Test
    void unreadableCaBundleStopsTheStart() {
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> startGateway("missing", Map.of("caravan.backend.tls.trust",
                        temp.resolve("missing.pem").toString())).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        assertTrue(messages.toString().contains("Cannot set up TLS to backends")
                && messages.toString().contains("missing.pem"), messages.toString());
    }

    private static RawHttp.Response get(RunningGateway gateway, String path) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange("GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n");
        }
    }

    private static RunningGateway startGateway(String name, Map<String, String> extra) throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes-" + name));
        Files.writeString(routes.resolve("backends.yaml"), """
                - route:
                    id: ok
                    from:
                      uri: caravan:http?path=/ok
                      steps:
                        - to: "caravan-forward:https://localhost:{{trusted.port}}"
                - route:
                    id: misnamed
                    from:
                      uri: caravan:http?path=/misnamed
                      steps:
                        - to: "caravan-forward:https://localhost:{{misnamed.port}}"
                - route:
                    id: failover
                    from:
                      uri: caravan:http?path=/failover
                      steps:
                        - to: "caravan-forward:https://localhost:{{misnamed.port}},https://localhost:{{trusted.port}}"
                - route:
                    id: strict
                    from:
                      uri: caravan:http?path=/strict
                      steps:
                        - to: "caravan-forward:https://localhost:{{strict.port}}"
                """);
        if (!extra.isEmpty()) {
            // only where the backend is trusted: in the default-trust gateway this check fails, marks the backend down
            // (state is per origin) and turns the refused handshake's 502 into a 503 once two probes have failed
            Files.writeString(routes.resolve("health.yaml"), """
                    - route:
                        id: health
                        from:
                          uri: caravan:http?path=/health-checked
                          steps:
                            - to: "caravan-forward:https://localhost:{{trusted.port}}?healthPath=/healthz&healthInterval=200"
                    """);
        }
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("trusted.port", Integer.toString(trusted.port()));
        properties.put("misnamed.port", Integer.toString(misnamed.port()));
        properties.put("strict.port", Integer.toString(strict.port()));
        properties.put("caravan.tls.certs", temp.resolve("no-certs-" + name).toString());
        return RunningGateway.start(routes, properties);
    }
}
