package dev.caravan.tls;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.TlsClient;
import dev.caravan.tls.TestCertificates.KeyFormat;
import dev.caravan.tls.TestCertificates.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The other ways certificates arrive: a PKCS#12 keystore, and certbot's fullchain.pem + privkey.pem. */
class CertificateFormatsTest {

    @TempDir
    Path temp;

    private RunningGateway start(Path certs, Map<String, String> extra) throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(routes.resolve("tls.yaml"), """
                - route:
                    id: tls
                    from:
                      uri: caravan:https
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:1"
                """);
        Map<String, String> properties = new java.util.HashMap<>(extra);
        properties.put("caravan.tls.certs", certs.toString());
        return RunningGateway.start(routes, properties);
    }

    private static void writeKeystore(Path file, TestCertificates.Issued issued, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", issued.key(), password.toCharArray(), new Certificate[] {issued.certificate()});
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }

    @Test
    void servesAPkcs12KeystoreAndCertbotFiles() throws Exception {
        Path certs = Files.createDirectories(temp.resolve("certs"));
        writeKeystore(certs.resolve("store.p12"), TestCertificates.issue(0x7001, KeyType.RSA, "p12.test"), "s3cret");
        TestCertificates.Issued certbot = TestCertificates.issue(0x7002, KeyType.EC, "certbot.test");
        Files.writeString(certs.resolve("fullchain.pem"), certbot.certificatePem());
        Files.writeString(certs.resolve("privkey.pem"), certbot.keyPem(KeyFormat.PKCS8));
        try (RunningGateway gateway = start(certs, Map.of("caravan.tls.keystorePassword", "s3cret"))) {
            try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "p12.test")) {
                assertEquals(0x7001, client.servedSerial());
            }
            try (TlsClient client = TlsClient.connect(gateway.httpsPort(), "certbot.test")) {
                assertEquals(0x7002, client.servedSerial());
            }
        }
    }

    @Test
    void aKeystoreWithTheWrongPasswordStopsTheStartNamingTheFile() throws Exception {
        Path certs = Files.createDirectories(temp.resolve("certs-bad"));
        writeKeystore(certs.resolve("store.p12"), TestCertificates.issue(0x7003, KeyType.EC, "p12.test"), "right");
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> start(certs, Map.of("caravan.tls.keystorePassword", "wrong")));
        assertTrue(failure.getMessage().contains("store.p12"), failure.getMessage());
    }
}
