package dev.caravan.tls;

import dev.caravan.server.CaravanServer;
import dev.caravan.testing.CapturedLog;
import dev.caravan.testing.TlsClient;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.tls.TestCertificates.Issued;
import dev.caravan.tls.TestCertificates.KeyFormat;
import dev.caravan.tls.TestCertificates.KeyType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TLS termination on Caravan's own listener, with real handshakes over loopback: JDK {@code SSLSocket} clients and
 * {@code openssl s_client} where installed. One gateway serves a folder of certificates made at test time:
 * {@code default} (RSA, PKCS#1 key), {@code api} (EC, PKCS#8, exact name), {@code wild} (EC, SEC1 key, a {@code .pem}
 * chain, wildcard), and two that tests rewrite ({@code renew}, {@code corrupt}).
 */
class TlsTerminationTest {

    private static final long DEFAULT_SERIAL = 0x1001;
    private static final long API_SERIAL = 0x1002;
    private static final long WILDCARD_SERIAL = 0x1003;

    @TempDir
    static Path temp;
    static TestBackend backend;
    static RunningGateway gateway;
    static Path certs;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("tls-backend");
        certs = Files.createDirectories(temp.resolve("certs"));
        TestCertificates.issue(DEFAULT_SERIAL, KeyType.RSA, "default.test", "localhost")
                .writeTo(certs, "default", "crt", KeyFormat.TRADITIONAL);
        TestCertificates.issue(API_SERIAL, KeyType.EC, "api.example.com").writeTo(certs, "api");
        TestCertificates.issue(WILDCARD_SERIAL, KeyType.EC, "*.example.com")
                .writeTo(certs, "wild", "pem", KeyFormat.TRADITIONAL);
        TestCertificates.issue(0x2001, KeyType.EC, "renew.test").writeTo(certs, "renew");
        TestCertificates.issue(0x3001, KeyType.EC, "corrupt.test").writeTo(certs, "corrupt");
        Files.writeString(certs.resolve("README.md"), "not a certificate, ignored");
        gateway = startGateway(certs);
        port = httpsPort(gateway);
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
    void tls13HandshakeForwardsWithForwardedProtoHttps() throws Exception {
        try (TlsClient client = TlsClient.connect(port, null, List.of("TLSv1.3"), null)) {
            assertEquals("TLSv1.3", client.protocol());
            assertEquals("http/1.1", client.applicationProtocol(), "an HTTP/1.1-only client gets http/1.1 by ALPN");
            TlsClient.Response response = client.get("/hello", "shop.test");
            assertEquals(200, response.status(), response.body());
            assertEquals("https", response.echoedHeader("X-Forwarded-Proto"));
            // keep-alive over TLS: a second request on the same connection
            assertEquals(200, client.get("/again", "shop.test").status());
        }
    }

    @Test
    void tls12HandshakeUsesEcdheWithAead() throws Exception {
        try (TlsClient client = TlsClient.connect(port, null, List.of("TLSv1.2"), null)) {
            assertEquals("TLSv1.2", client.protocol());
            String suite = client.cipherSuite();
            assertTrue(suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")),
                    suite);
            TlsClient.Response response = client.get("/hello", "shop.test");
            assertEquals(200, response.status(), response.body());
            assertEquals("https", response.echoedHeader("X-Forwarded-Proto"));
        }
    }

    @Test
    void serverCipherOrderWinsOverTheClients() throws Exception {
        List<String> clientOrder = List.of("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        try (TlsClient client = TlsClient.connect(port, null, List.of("TLSv1.2"), clientOrder)) {
            assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", client.cipherSuite());
        }
    }

    @Test
    void weakTls12SuitesAreRefused() {
        // CBC with ECDHE: the JDK client still enables these, so a refusal is the server's
        for (String weak : List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")) {
            assertThrows(SSLException.class, () -> TlsClient.connect(port, null, List.of("TLSv1.2"), List.of(weak)),
                    weak);
        }
    }

    @Test
    void oldProtocolsAndRsaKeyExchangeAreRefusedToOpenssl() throws Exception {
        // the JDK client cannot offer TLS 1.0/1.1 without changing a JVM-wide security property, so openssl does it;
        // SECLEVEL=0 lets OpenSSL 3 offer them at all
        assumeTrue(opensslAvailable(), "openssl not installed");
        assertTrue(openssl("-tls1_2"), "control: openssl completes a TLS 1.2 handshake");
        assertTrue(openssl("-tls1_3"), "control: openssl completes a TLS 1.3 handshake");
        assertFalse(openssl("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"), "TLS 1.1 refused");
        assertFalse(openssl("-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"), "TLS 1.0 refused");
        assertFalse(openssl("-tls1_2", "-cipher", "AES128-GCM-SHA256"), "RSA key exchange refused");
        assertFalse(openssl("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"), "CBC/SHA-1 refused");
        assertFalse(openssl("-tls1_2", "-cipher", "DES-CBC3-SHA:@SECLEVEL=0"), "3DES refused");
    }

    @Test
    void plainHttpAndSilentClientsAreDropped() throws Exception {
        try (RawHttp plain = new RawHttp(port)) {
            plain.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
            assertTrue(plain.isClosedByServer(), "plain HTTP on the TLS port is not answered");
        }
        long start = System.nanoTime();
        try (RawHttp silent = new RawHttp(port)) {
            assertTrue(silent.isClosedByServer());
        }
        long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(closedAfter >= 900 && closedAfter < 5000, "a client that never sends a ClientHello is closed by "
                + "the handshake timeout (1 s here), after " + closedAfter + " ms");
    }

    @Test
    void sniSelectsExactThenWildcardThenDefault() throws Exception {
        assertEquals(API_SERIAL, servedSerial("api.example.com"));
        assertEquals(WILDCARD_SERIAL, servedSerial("www.example.com"));
        assertEquals(WILDCARD_SERIAL, servedSerial("WWW.Example.COM"));
        // a wildcard covers one label only, as browsers match it
        assertEquals(DEFAULT_SERIAL, servedSerial("a.b.example.com"));
        assertEquals(DEFAULT_SERIAL, servedSerial("unknown.test"));
        assertEquals(DEFAULT_SERIAL, servedSerial(null), "no SNI: the pair named default");
        try (TlsClient client = TlsClient.connect(port, "api.example.com")) {
            assertTrue(client.servedCertificate().getSubjectX500Principal().getName().contains("CN=api.example.com"));
            assertEquals(200, client.get("/x", "api.example.com").status());
        }
    }

    @Test
    void renewalIsSeenByNewConnectionsWithoutFailingAny() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong firstNewSerialAt = new AtomicLong();
        AtomicLong oldSerialAfterNew = new AtomicLong();
        Thread clientThread = new Thread(() -> {
            while (running.get()) {
                try (TlsClient client = TlsClient.connect(port, "renew.test")) {
                    long serial = client.servedSerial();
                    if (serial == 0x2002) {
                        firstNewSerialAt.compareAndSet(0, System.nanoTime());
                    } else if (firstNewSerialAt.get() != 0) {
                        oldSerialAfterNew.incrementAndGet();
                    }
                    TlsClient.Response response = client.get("/renew", "renew.test");
                    if (response.status() != 200) {
                        failures.add("status " + response.status());
                    }
                    requests.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }, "renewal-client");
        // a connection established before the renewal must keep working, on its old certificate
        try (TlsClient inFlight = TlsClient.connect(port, "renew.test")) {
            assertEquals(200, inFlight.get("/before", "renew.test").status());
            clientThread.start();
            Thread.sleep(500);
            Issued renewed = TestCertificates.issue(0x2002, KeyType.EC, "renew.test");
            long writtenAt = System.nanoTime();
            // written in place, certificate first, as a careless renewal script would
            renewed.writeTo(certs, "renew");
            long deadline = writtenAt + TimeUnit.SECONDS.toNanos(5);
            while (firstNewSerialAt.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(500);
            running.set(false);
            clientThread.join(10_000);
            assertNotEquals(0, firstNewSerialAt.get(), "the renewed certificate was never served");
            long seenAfterMillis = TimeUnit.NANOSECONDS.toMillis(firstNewSerialAt.get() - writtenAt);
            System.out.printf("TLS renewal: new serial seen %d ms after the files were written; %d requests on new "
                    + "connections, %d failed%n", seenAfterMillis, requests.get(), failures.size());
            assertEquals(List.of(), failures);
            assertEquals(0, oldSerialAfterNew.get(), "once renewed, no new connection gets the old certificate");
            assertTrue(requests.get() > 10, "the client kept connecting: " + requests.get());
            assertTrue(seenAfterMillis < 3000, "renewal seen after " + seenAfterMillis + " ms");
            assertEquals(200, inFlight.get("/after", "renew.test").status());
            assertEquals(0x2001, inFlight.servedSerial(), "the open connection keeps its certificate");
        }
    }

    @Test
    void brokenOrMismatchedFilesKeepThePreviousCertificate() throws Exception {
        assertEquals(0x3001, servedSerial("corrupt.test"));
        try (CapturedLog log = new CapturedLog()) {
            Files.writeString(certs.resolve("corrupt.crt"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
                    + "-----END CERTIFICATE-----\n");
            waitForSeveralChecks();
            assertEquals(0x3001, servedSerial("corrupt.test"), "corrupt certificate file rejected");
            assertNotNull(log.line("ERROR", "Rejected certificate change, the previous certificate 'corrupt' keeps "
                    + "serving", "corrupt.crt: not a readable PEM certificate chain"), log.text());

            // a renewal that replaced the certificate but not the key
            Files.writeString(certs.resolve("corrupt.crt"),
                    TestCertificates.issue(0x3002, KeyType.EC, "corrupt.test").certificatePem());
            waitForSeveralChecks();
            assertEquals(0x3001, servedSerial("corrupt.test"), "certificate whose key does not match rejected");
            assertNotNull(log.line("ERROR", "corrupt.key: the private key does not match the certificate in "
                    + "corrupt.crt"), log.text());

            Files.writeString(certs.resolve("corrupt.key"), "garbage", StandardCharsets.US_ASCII);
            waitForSeveralChecks();
            assertEquals(0x3001, servedSerial("corrupt.test"), "unreadable key rejected");
            assertNotNull(log.line("ERROR", "corrupt.key: contains no private key"), log.text());
        }

        // the watcher is alive and takes a good pair after all that
        TestCertificates.issue(0x3003, KeyType.RSA, "corrupt.test")
                .writeTo(certs, "corrupt", "crt", KeyFormat.TRADITIONAL);
        awaitSerial("corrupt.test", 0x3003);
    }

    @Test
    void aCertificateAddedAtRunTimeIsServedAndItsNearExpiryLogged() throws Exception {
        assertEquals(DEFAULT_SERIAL, servedSerial("soon.test"));
        try (CapturedLog log = new CapturedLog()) {
            TestCertificates.issue(0x5001, KeyType.EC, Duration.ofDays(10), "soon.test").writeTo(certs, "soon");
            awaitSerial("soon.test", 0x5001);
            assertNotNull(log.line("WARN", "Certificate 'soon' expires in 9 day(s)", "soon.test"), log.text());
            // the daily repeat of the warning
            serverOf(gateway).certificates().warnAboutExpiringCertificates();
            assertEquals(2, log.text().split("Certificate 'soon' expires in").length - 1, log.text());
        }
        Files.delete(certs.resolve("soon.crt"));
        Files.delete(certs.resolve("soon.key"));
        awaitSerial("soon.test", DEFAULT_SERIAL);
    }

    @Test
    void emptyCertificateFolderServesAGeneratedLocalhostCertificate() throws Exception {
        Path empty = Files.createDirectories(temp.resolve("empty-certs"));
        try (RunningGateway dev = startGateway(empty)) {
            try (TlsClient client = TlsClient.connect(httpsPort(dev), null)) {
                var certificate = client.servedCertificate();
                assertTrue(certificate.getSubjectX500Principal().getName().contains("CN=localhost"),
                        certificate.getSubjectX500Principal().getName());
                assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal(),
                        "self-signed");
                assertEquals(List.of("localhost"), CertificateNames.of(certificate));
                assertEquals(200, client.get("/dev", "localhost").status());
            }
            try (var listing = Files.list(empty)) {
                assertEquals(0, listing.count(), "nothing written into the certificate folder");
            }
        }
    }

    @Test
    void aBrokenCertificateAtStartUpStopsTheStartNamingTheFile() throws Exception {
        Path broken = Files.createDirectories(temp.resolve("broken-certs"));
        Issued one = TestCertificates.issue(0x4001, KeyType.EC, "one.test");
        Files.writeString(broken.resolve("one.crt"), one.certificatePem());
        Files.writeString(broken.resolve("one.key"),
                TestCertificates.issue(0x4002, KeyType.EC, "other.test").keyPem(KeyFormat.PKCS8));
        Exception failure = assertThrows(Exception.class, () -> startGateway(broken).close());
        String messages = failure + " " + failure.getCause();
        assertTrue(messages.contains("one.key") && messages.contains("does not match"), messages);
    }

    private static long servedSerial(String sni) throws IOException {
        try (TlsClient client = TlsClient.connect(port, sni)) {
            return client.servedSerial();
        }
    }

    private static void awaitSerial(String sni, long serial) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (servedSerial(sni) != serial && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(serial, servedSerial(sni), "certificate served for " + sni);
    }

    /** The watcher checks every 100 ms and applies a change after it stayed for one check. */
    private static void waitForSeveralChecks() throws InterruptedException {
        Thread.sleep(600);
    }

    private static RunningGateway startGateway(Path certsDir) throws IOException {
        Path routes = Files.createTempDirectory(temp, "routes"); // one per gateway: each watches its own
        Files.writeString(routes.resolve("tls.yaml"), """
                - route:
                    id: tls
                    from:
                      uri: caravan:https
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """);
        Map<String, String> properties = new HashMap<>();
        properties.put("caravan.https.port", "0");
        properties.put("caravan.tls.certs", certsDir.toString());
        properties.put("caravan.tls.reloadInterval", "100");
        properties.put("caravan.tls.handshakeTimeout", "1000");
        properties.put("backend.url", backend.url());
        return RunningGateway.start(routes, properties);
    }

    private static int httpsPort(RunningGateway gateway) {
        return serverOf(gateway).httpsPort();
    }

    private static CaravanServer serverOf(RunningGateway gateway) {
        return gateway.context().getRegistry().lookupByNameAndType("caravanServer", CaravanServer.class);
    }

    private static boolean opensslAvailable() {
        try {
            return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** True if {@code openssl s_client} with these options completed a handshake. */
    private static boolean openssl(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "openssl hung");
        return process.exitValue() == 0 && !output.contains("Cipher is (NONE)");
    }
}
