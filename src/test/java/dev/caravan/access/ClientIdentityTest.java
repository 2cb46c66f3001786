package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who the client is: a client cannot claim another address through any member of the forwarding-header family, a
 * trusted proxy's RFC 7239 Forwarded and a load balancer's PROXY header are believed, and the backend gets Caravan's
 * own account.
 */
class ClientIdentityTest {

    @TempDir
    Path temp;

    private Path routes(String forwardOptions) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("who.yaml"), """
                - route:
                    id: who
                    from:
                      uri: caravan:http
                      steps:
                        - setHeader:
                            name: X-Seen-Client
                            simple: "${header.CaravanClientIp}"
                        - to: "caravan-forward:{{backend.url}}%s"
                """.formatted(forwardOptions));
        return dir;
    }

    @Test
    void noForwardingHeaderFromAClientReachesTheBackendUnchecked() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.start(routes(""), Map.of("backend.url", backend.url()));
             RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("GET /x HTTP/1.1\r\nHost: a\r\nX-Real-IP: 8.8.8.8\r\n"
                    + "Forwarded: for=9.9.9.9\r\nX_Forwarded_For: 1.1.1.1\r\nTrue-Client-IP: 2.2.2.2\r\n"
                    + "X-Client-IP: 3.3.3.3\r\nX_Real_IP: 4.4.4.4\r\nX-Cluster-Client-IP: 5.5.5.5\r\n"
                    + "X-Original-Forwarded-For: 6.6.6.6\r\nCF-Connecting-IP: 7.7.7.7\r\nFastly-Client-IP: 8.8.4.4\r\n"
                    + "X-Forwarded-Prefix: /evil\r\nX-Forwarded-Server: evil\r\nx_cluster_client_ip: 9.9.9.8\r\n\r\n");
            assertEquals("127.0.0.1", response.echoedHeader("X-Real-IP"));
            assertEquals("127.0.0.1", response.echoedHeader("X-Seen-Client"));
            for (String name : new String[] {"Forwarded", "X_Forwarded_For", "True-Client-IP", "X-Client-IP",
                "X_Real_IP", "X-Cluster-Client-IP", "X-Original-Forwarded-For", "CF-Connecting-IP", "Fastly-Client-IP",
                "X-Forwarded-Prefix", "X-Forwarded-Server", "x_cluster_client_ip"}) {
                assertNull(response.echoedHeader(name), name + " reached the backend");
            }
        }
    }

    @Test
    void aTrustedProxysForwardedNamesTheClientAndCaravanAppendsItsOwn() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.start(routes("?forwarded=true"), Map.of("backend.url",
                     backend.url(), "caravan.trustedProxies", "127.0.0.1"));
             RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("GET /x HTTP/1.1\r\nHost: shop.test\r\n"
                    + "Forwarded: for=203.0.113.7;proto=https, for=\"[2001:db8::1]:4711\"\r\n\r\n");
            assertEquals("2001:db8:0:0:0:0:0:1", response.echoedHeader("X-Seen-Client"),
                    "the right-most untrusted hop of Forwarded");
            assertEquals("2001:db8:0:0:0:0:0:1", response.echoedHeader("X-Real-IP"));
            assertEquals("for=203.0.113.7;proto=https, for=\"[2001:db8::1]:4711\", for=127.0.0.1;proto=http;"
                    + "host=\"shop.test\"", response.echoedHeader("Forwarded"));
        }
    }

    @Test
    void aTrustedLoadBalancersProxyHeaderNamesTheClient() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.start(routes(""), Map.of("backend.url", backend.url(),
                     "caravan.trustedProxies", "127.0.0.1", "caravan.http.proxyProtocol", "true"))) {
            // version 1, text
            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.exchange("PROXY TCP4 198.51.100.9 10.0.0.1 5555 80\r\n"
                        + "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("198.51.100.9", response.echoedHeader("X-Seen-Client"));
                assertTrue(response.echoedHeader("X-Forwarded-For").endsWith("198.51.100.9"));
            }
            // version 2, binary
            ByteArrayOutputStream v2 = new ByteArrayOutputStream();
            v2.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
            v2.writeBytes(new byte[] {0x21, 0x11, 0x00, 0x0C, (byte) 192, 0, 2, 44, 10, 0, 0, 1, 0x15, (byte) 0xB3, 0, 80});
            v2.writeBytes("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            try (RawHttp http = new RawHttp(gateway.port())) {
                http.send(v2.toByteArray());
                assertEquals("192.0.2.44", http.read().echoedHeader("X-Seen-Client"));
            }
        }
    }

    @Test
    void aProxyHeaderFromAnUntrustedPeerClosesTheConnection() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.start(routes(""), Map.of("backend.url", backend.url(),
                     "caravan.trustedProxies", "10.0.0.0/8", "caravan.http.proxyProtocol", "true"));
             Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("PROXY TCP4 198.51.100.9 10.0.0.1 5555 80\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(-1, socket.getInputStream().read(), "only a trusted proxy may say who the client is");
            assertTrue(backend.requests().isEmpty());
        }
    }
}
