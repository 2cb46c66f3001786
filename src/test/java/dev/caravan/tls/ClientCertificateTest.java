package dev.caravan.tls;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.TlsClient;
import dev.caravan.tls.TestCertificates.Issued;
import dev.caravan.tls.TestCertificates.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-certificate authentication (mTLS) on the https listener, with real JDK clients presenting certificates made
 * at test time, through the route of {@code docs/examples/mtls-route.yaml}: one gateway with
 * {@code caravan.tls.clientAuth=require}, one with {@code optional}, both accepting only the "trusted" CA.
 */
class ClientCertificateTest {

    @TempDir
    static Path temp;
    static TestBackend backend;
    static RunningGateway required;
    static RunningGateway optional;
    /** Self-signed, so it is its own CA: the one in the accepted bundle. */
    static Issued alice;
    /** From a CA the gateway does not accept. */
    static Issued mallory;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("mtls-backend");
        alice = TestCertificates.issue(0x6001, KeyType.EC, "alice.clients.test");
        mallory = TestCertificates.issue(0x6002, KeyType.EC, "mallory.clients.test");
        Path clientCa = temp.resolve("client-ca.pem");
        Files.writeString(clientCa, alice.certificatePem());
        required = startGateway("require", clientCa);
        optional = startGateway("optional", clientCa);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{required, optional, backend}) {
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
    void requireAcceptsACertificateFromTheConfiguredCaAndTheRoutePassesItsSubjectOn() throws Exception {
        try (TlsClient client = TlsClient.connectWithClientCertificate(required.httpsPort(), alice.key(),
                alice.certificate())) {
            TlsClient.Response response = client.get("/who", "api.test");
            assertEquals(200, response.status(), response.body());
            String subject = response.echoedHeader("X-Client-Subject");
            assertTrue(subject != null && subject.contains("CN=alice.clients.test"), response.body());
            assertNull(response.echoedHeader("CaravanClientCertSubject"), "internal header stays inside");
            // the same connection keeps its identity for the next request
            assertTrue(client.get("/again", "api.test").echoedHeader("X-Client-Subject").contains("CN=alice"));
        }
    }

    /**
     * Over HTTP/2 every stream of the connection carries the subject: it is read once per TLS connection, not once
     * per stream.
     */
    @Test
    void everyHttp2StreamOfAConnectionCarriesTheSubject() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(TlsClient.clientCertificateContext(alice.key(), alice.certificate())).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + required.httpsPort() + "/who/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().lines().anyMatch(line -> line.startsWith("header X-Client-Subject: ")
                    && line.contains("CN=alice.clients.test")), response.body());
        }
    }

    @Test
    void requireRefusesAClientWithoutCertificate() {
        assertThrows(IOException.class, () -> {
            try (TlsClient client = TlsClient.connect(required.httpsPort(), null)) {
                client.get("/who", "api.test"); // TLS 1.3: the refusal may arrive only after the client's Finished
            }
        });
    }

    @Test
    void requireRefusesACertificateFromAnotherCa() {
        assertThrows(IOException.class, () -> {
            try (TlsClient client = TlsClient.connectWithClientCertificate(required.httpsPort(), mallory.key(),
                    mallory.certificate())) {
                client.get("/who", "api.test");
            }
        });
    }

    @Test
    void optionalServesAClientWithoutCertificateWithoutASubjectAndIgnoresAForgedOne() throws Exception {
        try (TlsClient client = TlsClient.connect(optional.httpsPort(), null)) {
            TlsClient.Response response = client.getWithHeader("/who", "api.test",
                    "CaravanClientCertSubject: CN=forged");
            assertEquals(200, response.status(), response.body());
            assertEquals("<" + null + ">", "<" + response.echoedHeader("X-Client-Subject") + ">", response.body());
            // a client sending the route's header itself does not get it through either
            TlsClient.Response spoofed = client.getWithHeader("/who", "api.test", "X-Client-Subject: CN=forged");
            assertEquals("<" + null + ">", "<" + spoofed.echoedHeader("X-Client-Subject") + ">", spoofed.body());
        }
        try (TlsClient client = TlsClient.connectWithClientCertificate(optional.httpsPort(), alice.key(),
                alice.certificate())) {
            assertTrue(client.get("/who", "api.test").echoedHeader("X-Client-Subject").contains("CN=alice"));
        }
    }

    @Test
    void optionalStillRefusesACertificateFromAnotherCa() {
        // a certificate that is presented must verify: "optional" only lets a client present none
        assertThrows(IOException.class, () -> {
            try (TlsClient client = TlsClient.connectWithClientCertificate(optional.httpsPort(), mallory.key(),
                    mallory.certificate())) {
                client.get("/who", "api.test");
            }
        });
    }

    @Test
    void clientAuthWithoutCaBundleStopsTheStart() {
        Exception failure = assertThrows(Exception.class, () -> RunningGateway.start(
                Files.createDirectories(temp.resolve("routes-none")),
                Map.of("caravan.tls.clientAuth", "require",
                        "caravan.tls.certs", temp.resolve("no-certs").toString())).close());
        String messages = failure + " " + failure.getCause();
        assertTrue(messages.contains("caravan.tls.clientCa"), messages);
    }

    /**
     * A certificate from a trusted CA whose subject holds CR/LF: copied into a header by the documented route, it
     * must not split the backend request (a smuggled request or an injected header); the request gets a 500 instead.
     */
    @Test
    void aSubjectWithLineBreaksNeverReachesTheBackendAsHeadersOrRequests() throws Exception {
        Issued evil = TestCertificates.issue(0x6003, KeyType.EC,
                "evil\r\n\r\nGET /smuggled-admin HTTP/1.1\r\nHost: admin.example.com\r\nX-Injected: yes");
        Path bundle = temp.resolve("evil-ca.pem");
        Files.writeString(bundle, evil.certificatePem());
        int before = backend.requests().size();
        try (RunningGateway gateway = startGateway("require-evil", "require", bundle);
             TlsClient client = TlsClient.connectWithClientCertificate(gateway.httpsPort(), evil.key(),
                     evil.certificate())) {
            assertEquals(500, client.get("/who", "api.test").status());
        }
        assertEquals(before, backend.requests().size(), "nothing reached the backend");
        assertTrue(backend.rawBytes().indexOf("smuggled-admin") < 0 && backend.rawBytes().indexOf("X-Injected") < 0);
    }

    private static RunningGateway startGateway(String mode, Path clientCa) throws IOException {
        return startGateway(mode, mode, clientCa);
    }

    private static RunningGateway startGateway(String name, String mode, Path clientCa) throws IOException {
        return RunningGateway.startWithCopies(Files.createDirectories(temp.resolve(name)), Map.of(
                        "caravan.tls.clientAuth", mode,
                        "caravan.tls.clientCa", clientCa.toString(),
                        "caravan.tls.certs", temp.resolve("no-certs").toString(),
                        "mtls.backend", backend.url()),
                Path.of("docs/examples/mtls-route.yaml"));
    }
}
