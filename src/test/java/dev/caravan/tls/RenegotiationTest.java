package dev.caravan.tls;

import dev.caravan.testing.ForkedGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.TlsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TLS 1.2 client-initiated renegotiation (a cheap way to make a server do expensive handshakes) is refused with the
 * default settings (BoringSSL where it loads; on the JDK by Caravan's own setting, see TlsProviderTest for both). In a
 * JVM of its own: the JDK reads its setting once, at its first server handshake.
 */
class RenegotiationTest {

    @TempDir
    Path temp;

    @Test
    void aTls12ClientCannotRenegotiate() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path routes = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(routes.resolve("tls.yaml"), """
                    - route:
                        id: tls
                        from:
                          uri: caravan:https
                          steps:
                            - to: "caravan-forward:%s"
                    """.formatted(backend.url()));
            try (ForkedGateway gateway = ForkedGateway.start(temp, routes, List.of(),
                    "--caravan.tls.certs=" + Files.createDirectories(temp.resolve("certs")));
                 TlsClient client = TlsClient.connect(gateway.httpsPort(), "localhost", List.of("TLSv1.2"), null)) {
                assertEquals(200, client.get("/x", "localhost").status());
                assertThrows(IOException.class, client::renegotiate);
            }
        }
    }
}
