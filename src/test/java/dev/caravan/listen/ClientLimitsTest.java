package dev.caravan.listen;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Size, concurrency and connection limits through a real gateway. */
class ClientLimitsTest {

    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/limits"), Map.of(
                "backend.url", backend.url(),
                "caravan.client.maxConnectionsPerIp", "20",
                "caravan.client.maxHeaderSize", "4096",
                "caravan.client.maxBodySize", "1m"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    /** Nagle off on accepted connections: a response's head and body written apart must not wait for an ACK. */
    @Test
    void acceptedConnectionsHaveNagleOff() throws Exception {
        java.util.concurrent.CompletableFuture<Boolean> noDelay = new java.util.concurrent.CompletableFuture<>();
        gateway.listener("http").onConnection(ch -> noDelay.complete(ch.config().getOption(ChannelOption.TCP_NODELAY)));
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(200, http.exchange("GET /sentinel HTTP/1.1\r\nHost: a\r\n\r\n").status());
        }
        assertTrue(noDelay.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void anAnnouncedBodyOverTheRouteLimitIs413BeforeAnythingIsForwarded() throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n");
            assertEquals(413, response.status());
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(200, http.exchange("GET /sentinel HTTP/1.1\r\nHost: a\r\n\r\n").status());
        }
        assertEquals(before + 1, backend.requests().size(), "only the sentinel reached the backend");
    }

    @Test
    void aChunkedBodyIsCutWith413AsSoonAsItCrossesTheLimit() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = ("4000\r\n" + "x".repeat(0x4000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            String answer = null;
            // keep sending until the gateway answers: it must not wait for (or buffer) the whole body
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 10_000 && answer == null; i++) {
                try {
                    out.write(chunk);
                } catch (java.io.IOException closed) {
                    break;
                }
                if (in.available() > 0) {
                    answer = new String(in.readNBytes(in.available()), StandardCharsets.ISO_8859_1);
                }
            }
            if (answer == null) {
                answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        }
    }

    @Test
    void theListenerLimitAppliesWhereTheRouteSetsNone() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(413, http.exchange("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n").status());
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(200, http.exchange("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").status());
        }
    }

    @Test
    void headersOverTheLimitAre431() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(431, http.exchange("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(5000) + "\r\n\r\n")
                    .status());
        }
    }

    @Test
    void aRouteBusyWithItsMaximumAnswers503() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawHttp http = new RawHttp(gateway.port());
                http.send("GET /busy/slow/3000 HTTP/1.1\r\nHost: a\r\n\r\n");
                slow.add(http);
            }
            dev.caravan.testing.Await.until(() -> backend.requests().stream()
                    .filter(r -> r.uri().equals("/slow/3000")).count() >= 2, "both slow requests in the route");
            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.exchange("GET /busy/x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals(503, response.status());
                assertEquals("1", response.header("Retry-After"));
            }
            for (RawHttp http : slow) {
                assertEquals(200, http.read().status());
            }
        } finally {
            for (RawHttp http : slow) {
                http.close();
            }
        }
    }

    @Test
    void connectionsOverThePerAddressLimitAreClosedAtAccept() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket("127.0.0.1", gateway.port());
                socket.getOutputStream().write("GET /a HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                socket.setSoTimeout(5000);
                assertTrue(readStatusLine(socket).startsWith("HTTP/1.1 200"), "connection " + i + " accepted");
                open.add(socket);
            }
            long refusedBefore = gateway.listener("http").refusedConnections();
            try (Socket extra = new Socket("127.0.0.1", gateway.port())) {
                extra.setSoTimeout(5000);
                assertEquals(-1, extra.getInputStream().read(), "the 21st connection is closed at once");
            }
            assertEquals(refusedBefore + 1, gateway.listener("http").refusedConnections());
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    private static String readStatusLine(Socket socket) throws Exception {
        StringBuilder line = new StringBuilder();
        InputStream in = socket.getInputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.append((char) b);
        }
        return line.toString();
    }
}
