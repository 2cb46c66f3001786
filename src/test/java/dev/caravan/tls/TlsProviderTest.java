package dev.caravan.tls;

import ch.qos.logback.classic.Level;
import dev.caravan.server.CaravanServer;
import dev.caravan.testing.Await;
import dev.caravan.testing.ForkedGateway;
import dev.caravan.testing.LogCapture;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.TlsClient;
import dev.caravan.testing.TrustAll;
import dev.caravan.tls.TestCertificates.Issued;
import dev.caravan.tls.TestCertificates.KeyFormat;
import dev.caravan.tls.TestCertificates.KeyType;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TLS policy holds whichever implementation serves ({@code caravan.tls.provider}): each check runs against a
 * gateway on OpenSSL (BoringSSL) and one on the JDK, with real handshakes from JDK clients and {@code openssl
 * s_client}. Per provider: a gateway serving an RSA default certificate, an EC one by SNI and one that is renewed,
 * forwarding to a plain backend and to {@code https://} backends; and a gateway requiring client certificates.
 * Renegotiation and the choice of provider at start-up run in gateways of their own JVM (the JDK reads its
 * renegotiation setting once per JVM, and OpenSSL's availability is decided once per JVM).
 */
class TlsProviderTest {

    private static final long DEFAULT_SERIAL = 0x7001;
    private static final long API_SERIAL = 0x7002;
    private static final List<String> POLICY_TLS12_RSA = List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final List<String> POLICY_TLS12_ECDSA = List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    @TempDir
    static Path temp;
    static TestBackend backend;
    /** An https backend whose certificate names localhost, signed by a CA in the gateways' backend trust bundle. */
    static TlsBackend trustedBackend;
    /** Trusted CA, wrong name: hostname verification must refuse it. */
    static TlsBackend misnamedBackend;
    static Issued alice;
    static final Map<String, RunningGateway> GATEWAYS = new HashMap<>();
    static final Map<String, RunningGateway> MTLS_GATEWAYS = new HashMap<>();
    static final Map<String, Path> CERTS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("provider-backend");
        Issued localhost = TestCertificates.issue(0x7101, KeyType.EC, "localhost");
        Issued other = TestCertificates.issue(0x7102, KeyType.RSA, "other.test");
        trustedBackend = new TlsBackend("trusted", localhost, null);
        misnamedBackend = new TlsBackend("misnamed", other, null);
        Files.writeString(temp.resolve("backend-cas.pem"), localhost.certificatePem() + other.certificatePem());
        alice = TestCertificates.issue(0x7201, KeyType.EC, "alice.clients.test");
        Files.writeString(temp.resolve("client-ca.pem"), alice.certificatePem());
        for (String provider : List.of("openssl", "jdk")) {
            Path certs = Files.createDirectories(temp.resolve("certs-" + provider));
            TestCertificates.issue(DEFAULT_SERIAL, KeyType.RSA, "default.test", "localhost")
                    .writeTo(certs, "default", "crt", KeyFormat.TRADITIONAL);
            TestCertificates.issue(API_SERIAL, KeyType.EC, "api.example.com").writeTo(certs, "api");
            TestCertificates.issue(0x7301, KeyType.EC, "renew.test").writeTo(certs, "renew");
            CERTS.put(provider, certs);
            GATEWAYS.put(provider, startGateway(provider, Map.of("caravan.tls.provider", provider,
                    "caravan.tls.certs", certs.toString())));
            MTLS_GATEWAYS.put(provider, startGateway(provider + "-mtls", Map.of("caravan.tls.provider", provider,
                    "caravan.tls.certs", certs.toString(),
                    "caravan.tls.clientAuth", "require",
                    "caravan.tls.clientCa", temp.resolve("client-ca.pem").toString())));
        }
    }

    @AfterAll
    static void stop() {
        List<AutoCloseable> all = new ArrayList<>(GATEWAYS.values());
        all.addAll(MTLS_GATEWAYS.values());
        all.addAll(List.of(trustedBackend, misnamedBackend, backend));
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void theConfiguredProviderServes(String provider) {
        SslProvider expected = provider.equals("openssl") ? SslProvider.OPENSSL : SslProvider.JDK;
        assertEquals(expected, server(GATEWAYS.get(provider)).certificates().provider());
        assertEquals(expected, server(MTLS_GATEWAYS.get(provider)).certificates().provider());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void tls13AndTls12ServeRequests(String provider) throws Exception {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (TlsClient client = TlsClient.connect(port(provider), null, List.of(protocol), null)) {
                assertEquals(protocol, client.protocol());
                assertEquals("http/1.1", client.applicationProtocol());
                TlsClient.Response response = client.get("/hello", "shop.test");
                assertEquals(200, response.status(), response.body());
                assertEquals("https", response.echoedHeader("X-Forwarded-Proto"));
                assertEquals(200, client.get("/again", "shop.test").status(), "keep-alive over TLS");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void tls11AndOlderAndWeakSuitesAreRefusedToOpenssl(String provider) throws Exception {
        // the JDK client cannot offer TLS 1.0/1.1 without a JVM-wide security property, so openssl does it
        assumeTrue(opensslInstalled(), "openssl not installed");
        int port = port(provider);
        assertTrue(openssl(port, "-tls1_2"), "control: openssl completes a TLS 1.2 handshake");
        assertTrue(openssl(port, "-tls1_3"), "control: openssl completes a TLS 1.3 handshake");
        assertFalse(openssl(port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"), "TLS 1.1 refused");
        assertFalse(openssl(port, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"), "TLS 1.0 refused");
        assertFalse(openssl(port, "-tls1_2", "-cipher", "AES128-GCM-SHA256"), "RSA key exchange refused");
        assertFalse(openssl(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"), "CBC/SHA-1 refused");
        assertFalse(openssl(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256"), "CBC/SHA-256 refused");
        assertFalse(openssl(port, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"), "finite-field DHE refused");
        assertFalse(openssl(port, "-tls1_2", "-cipher", "DES-CBC3-SHA:@SECLEVEL=0"), "3DES refused");
    }

    /**
     * Every TLS 1.2 suite the JDK client knows, offered alone: exactly the policy's ECDHE+AEAD ones for the
     * certificate's key type are accepted, nothing else sneaks in (from the provider's defaults or a name conversion).
     * Every TLS 1.3 suite there is is an AEAD one of the policy.
     */
    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void onlyThePolicysSuitesAreAccepted(String provider) throws Exception {
        int port = port(provider);
        List<String> tls12 = new ArrayList<>();
        for (String suite : SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()) {
            if (suite.startsWith("TLS_") && suite.contains("_WITH_")) {
                tls12.add(suite);
            }
        }
        assertTrue(tls12.size() > 20, "the JDK client offers many suites: " + tls12);
        assertEquals(new TreeSet<>(POLICY_TLS12_RSA), accepted(port, null, "TLSv1.2", tls12), "RSA certificate");
        assertEquals(new TreeSet<>(POLICY_TLS12_ECDSA), accepted(port, "api.example.com", "TLSv1.2", tls12),
                "EC certificate");
        assertEquals(new TreeSet<>(TLS13_SUITES), accepted(port, null, "TLSv1.3", TLS13_SUITES));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void theServersCipherOrderWins(String provider) throws Exception {
        List<String> clientOrder = List.of("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        try (TlsClient client = TlsClient.connect(port(provider), null, List.of("TLSv1.2"), clientOrder)) {
            assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", client.cipherSuite());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void alpnChoosesH2AndHttp2OverTlsServesRequests(String provider) throws Exception {
        try (SSLSocket socket = (SSLSocket) TrustAll.context().getSocketFactory().createSocket("127.0.0.1",
                port(provider))) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[]{"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            assertEquals("h2", socket.getApplicationProtocol());
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(TrustAll.context()).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + port(provider) + "/h2?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertTrue(response.body().contains("/h2?x=1"), response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void sniPicksTheCertificate(String provider) throws Exception {
        assertEquals(API_SERIAL, servedSerial(port(provider), "api.example.com"));
        assertEquals(DEFAULT_SERIAL, servedSerial(port(provider), "unknown.test"));
        assertEquals(DEFAULT_SERIAL, servedSerial(port(provider), null));
        try (TlsClient client = TlsClient.connect(port(provider), "api.example.com")) {
            assertEquals(200, client.get("/api", "api.example.com").status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aRenewedCertificateIsServedToNewConnections(String provider) throws Exception {
        int port = port(provider);
        long serial = servedSerial(port, "renew.test");
        try (TlsClient open = TlsClient.connect(port, "renew.test")) {
            assertEquals(200, open.get("/before", "renew.test").status());
            long renewed = serial + 1;
            TestCertificates.issue(renewed, KeyType.EC, "renew.test").writeTo(CERTS.get(provider), "renew");
            Await.until(() -> {
                try {
                    return servedSerial(port, "renew.test") == renewed;
                } catch (IOException e) {
                    throw new AssertionError("a handshake failed during the renewal", e);
                }
            }, "the renewed certificate served", Duration.ofSeconds(10));
            assertEquals(200, open.get("/after", "renew.test").status(), "an open connection keeps working");
            assertEquals(serial, open.servedSerial(), "on its old certificate");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void mtlsRequiredRefusesAClientWithoutCertificateAndPassesTheSubjectOn(String provider) throws Exception {
        int port = MTLS_GATEWAYS.get(provider).httpsPort();
        assertThrows(IOException.class, () -> {
            try (TlsClient client = TlsClient.connect(port, null)) {
                client.get("/who", "api.test"); // TLS 1.3: the refusal may arrive only after the client's Finished
            }
        });
        try (TlsClient client = TlsClient.connectWithClientCertificate(port, alice.key(), alice.certificate())) {
            TlsClient.Response response = client.get("/who", "api.test");
            assertEquals(200, response.status(), response.body());
            String subject = response.echoedHeader("X-Client-Subject");
            assertTrue(subject != null && subject.contains("CN=alice.clients.test"), response.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aSilentClientIsDroppedByTheHandshakeTimeout(String provider) throws Exception {
        try (RawHttp silent = new RawHttp(port(provider))) {
            assertTrue(silent.isClosedByServer(), "a client that never sends a ClientHello is closed");
        }
        try (RawHttp plain = new RawHttp(port(provider))) {
            plain.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
            assertTrue(plain.isClosedByServer(), "plain HTTP on the TLS port is not answered");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void httpsBackendsAreVerified(String provider) throws Exception {
        RunningGateway gateway = GATEWAYS.get(provider);
        RawHttp.Response ok = plainGet(gateway, "/backend/ok");
        assertEquals(200, ok.status(), ok.bodyText());
        assertTrue(ok.bodyText().startsWith("trusted /backend/ok\n"), ok.bodyText());
        assertTrue(trustedBackend.sniNames.contains("localhost"), "SNI names the host: " + trustedBackend.sniNames);
        RawHttp.Response misnamed = plainGet(gateway, "/misnamed");
        assertEquals(502, misnamed.status(), misnamed.bodyText());
        assertTrue(misnamedBackend.targets.isEmpty(), "nothing sent to a backend that failed verification");
    }

    @Test
    void autoPicksOpensslWhenItsLibraryLoadsAndSaysSo() throws Exception {
        assertTrue(OpenSsl.isAvailable(), "netty-tcnative-boringssl-static has this platform's library: "
                + OpenSsl.unavailabilityCause());
        try (LogCapture log = new LogCapture();
             RunningGateway gateway = startGateway("auto", Map.of("caravan.tls.certs",
                     CERTS.get("openssl").toString()))) {
            assertEquals(SslProvider.OPENSSL, server(gateway).certificates().provider());
            assertTrue(log.lines(Level.INFO).stream().anyMatch(line -> line.contains("TLS: BoringSSL")
                            && line.contains("serves the https listener and https:// backends")
                            && line.contains("caravan.tls.provider=auto")),
                    String.join("\n", log.lines(Level.INFO)));
            try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "api.example.com")) {
                assertEquals(200, client.get("/auto", "api.example.com").status());
            }
        }
    }

    @Test
    void aBadProviderNameStopsTheStartNamingTheSetting() {
        Exception failure = assertThrows(Exception.class, () -> startGateway("bad", Map.of(
                "caravan.tls.provider", "boringssl", "caravan.tls.certs", CERTS.get("openssl").toString())).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        assertTrue(messages.toString().contains("caravan.tls.provider must be auto, openssl or jdk, was 'boringssl'"),
                messages.toString());
    }

    /** TLS 1.2 client-initiated renegotiation is refused by OpenSSL, and by the JDK with Caravan's own setting. */
    @Test
    void renegotiationIsRefusedOnBothProvidersAndAutoFallsBackToTheJdkWithAReason() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("forked-routes"));
        Files.writeString(routes.resolve("tls.yaml"), """
                - route:
                    id: tls
                    from:
                      uri: caravan:https
                      steps:
                        - to: "caravan-forward:%s"
                """.formatted(backend.url()));
        String certs = "--caravan.tls.certs=" + CERTS.get("openssl");
        // the logging Caravan ships (INFO), not the tests' (WARN), so the start-up lines are there to read
        String shippedLogging = "-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath();
        try (ForkedGateway gateway = ForkedGateway.start(temp, routes, List.of(shippedLogging), certs,
                "--caravan.tls.provider=openssl")) {
            assertNotNull(logLine(gateway, "TLS: BoringSSL", "caravan.tls.provider=openssl"), gateway.log());
            assertRenegotiationRefused(gateway);
        }
        // OpenSSL switched off the way Netty allows: auto says why and the JDK serves
        List<String> noOpenSsl = List.of("-Dio.netty.handler.ssl.noOpenSsl=true", shippedLogging);
        try (ForkedGateway gateway = ForkedGateway.start(temp, routes, noOpenSsl, certs)) {
            assertNotNull(logLine(gateway, "INFO", "caravan.tls.provider=auto: OpenSSL cannot be used here",
                    "the JDK's TLS serves"), gateway.log());
            assertNotNull(logLine(gateway, "TLS: the JDK", "caravan.tls.provider=auto"), gateway.log());
            assertRenegotiationRefused(gateway);
        }
        // and provider=openssl refuses to start without it, in one line
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> ForkedGateway.start(temp, routes, noOpenSsl, certs, "--caravan.tls.provider=openssl").close());
        assertTrue(failure.getMessage().contains("Caravan did not start: caravan.tls.provider=openssl, but OpenSSL "
                + "cannot be used here: OpenSSL was explicit disabled"), failure.getMessage());
    }

    private static void assertRenegotiationRefused(ForkedGateway gateway) throws Exception {
        try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "localhost", List.of("TLSv1.2"), null)) {
            assertEquals(200, client.get("/x", "localhost").status());
            assertThrows(IOException.class, client::renegotiate);
        }
    }

    private static String logLine(ForkedGateway gateway, String... fragments) throws IOException {
        for (String line : gateway.log().split("\n")) {
            boolean all = true;
            for (String fragment : fragments) {
                all &= line.contains(fragment);
            }
            if (all) {
                return line;
            }
        }
        return null;
    }

    /** The suites of {@code offered} with which a handshake completes when each is offered alone. */
    private static Set<String> accepted(int port, String sni, String protocol, List<String> offered) {
        Set<String> accepted = new TreeSet<>();
        for (String suite : offered) {
            try (TlsClient client = TlsClient.connect(port, sni, List.of(protocol), List.of(suite))) {
                assertEquals(suite, client.cipherSuite());
                accepted.add(suite);
            } catch (IOException | IllegalArgumentException refused) {
                // refused by the server, or a suite this client cannot offer for the protocol
            }
        }
        return accepted;
    }

    private static long servedSerial(int port, String sni) throws IOException {
        try (TlsClient client = TlsClient.connect(port, sni)) {
            return client.servedSerial();
        }
    }

    private static RawHttp.Response plainGet(RunningGateway gateway, String path) throws IOException {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange("GET " + path + " HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n");
        }
    }

    private static int port(String provider) {
        return GATEWAYS.get(provider).httpsPort();
    }

    private static CaravanServer server(RunningGateway gateway) {
        return gateway.context().getRegistry().lookupByNameAndType("caravanServer", CaravanServer.class);
    }

    private static RunningGateway startGateway(String name, Map<String, String> settings) throws IOException {
        Path routes = Files.createDirectories(temp.resolve("routes-" + name));
        Files.writeString(routes.resolve("routes.yaml"), """
                - route:
                    id: backend-ok
                    from:
                      uri: caravan:http?path=/backend
                      steps:
                        - to: "caravan-forward:https://localhost:{{trusted.port}}"
                - route:
                    id: misnamed
                    from:
                      uri: caravan:http?path=/misnamed
                      steps:
                        - to: "caravan-forward:https://localhost:{{misnamed.port}}"
                - route:
                    id: tls
                    from:
                      uri: caravan:https
                      steps:
                        - setHeader:
                            name: X-Client-Subject
                            simple: "${header.CaravanClientCertSubject}"
                        - to: "caravan-forward:{{backend.url}}"
                """);
        Map<String, String> properties = new HashMap<>(settings);
        properties.put("caravan.https.port", "0");
        properties.put("caravan.tls.reloadInterval", "100");
        properties.put("caravan.tls.handshakeTimeout", "1000");
        properties.put("caravan.backend.tls.trust", temp.resolve("backend-cas.pem").toString());
        properties.put("trusted.port", Integer.toString(trustedBackend.port()));
        properties.put("misnamed.port", Integer.toString(misnamedBackend.port()));
        properties.put("backend.url", backend.url());
        return RunningGateway.start(routes, properties);
    }

    private static boolean opensslInstalled() {
        try {
            return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** True if {@code openssl s_client} with these options completed a handshake. */
    private static boolean openssl(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "openssl hung");
        return process.exitValue() == 0 && !output.contains("Cipher is (NONE)");
    }
}
