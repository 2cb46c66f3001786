package dev.caravan.websocket;

import dev.caravan.http.RequestLog;
import dev.caravan.testing.Await;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.WebSocketBackend;
import dev.caravan.testing.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WebSocket through the gateway with the JDK's client and a Netty echo backend. */
class WebSocketTest {

    private static WebSocketBackend echo;
    private static TestBackend http;
    private static RunningGateway gateway;
    private static final ConcurrentLinkedQueue<RequestLog> finished = new ConcurrentLinkedQueue<>();

    @TempDir
    Path temp;

    @BeforeAll
    static void start() throws Exception {
        echo = new WebSocketBackend("echo");
        http = TestBackend.start("http");
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/websocket"), Map.of(
                "ws.backend", echo.url(), "http.backend", http.url(), "caravan.https.enabled", "false"));
        gateway.listener("http").onExchangeFinished(e -> finished.add(e.log()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        http.close();
        echo.close();
    }

    private static String ws(RunningGateway gateway, String path) {
        return "ws://127.0.0.1:" + gateway.port() + path;
    }

    @Test
    void textBinaryPingAndBothClosesPassThrough() throws Exception {
        WebSocketClient client = WebSocketClient.connect(ws(gateway, "/ws/room?x=1"), "chat.v1");
        assertEquals("chat.v1", client.socket().getSubprotocol(), "Sec-WebSocket-Protocol negotiated end to end");
        assertEquals("hello", client.roundTrip("hello"));
        assertEquals("grüße ✓", client.roundTrip("grüße ✓"));
        byte[] big = new byte[3 << 20];
        new Random(3).nextBytes(big);
        client.socket().sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(big, (byte[]) client.next(), "a 3 MiB binary message, byte for byte");
        client.socket().sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8)))
                .get(10, TimeUnit.SECONDS);
        assertEquals("pong:are you there", client.next());
        io.netty.handler.codec.http.HttpHeaders handshake = echo.handshakes.peek();
        assertTrue(handshake.contains("Sec-WebSocket-Key"));
        client.socket().sendClose(4001, "client bye").get(10, TimeUnit.SECONDS);
        assertEquals("4001 client bye", client.closed.get(10, TimeUnit.SECONDS));
        Await.until(() -> echo.closesReceived.contains("4001 client bye"), "the backend got the client's close");

        WebSocketClient second = WebSocketClient.connect(ws(gateway, "/ws/other"));
        second.socket().sendText("close-me", true);
        assertEquals("4002 server bye", second.closed.get(10, TimeUnit.SECONDS), "the backend's close, code and reason");

        Await.until(() -> finished.stream().anyMatch(l -> l.status() == 101 && l.bytesOut() > (3 << 20)
                && l.bytesIn() > (3 << 20) && "ws".equals(l.routeId())), "the tunnel's request log");
    }

    @Test
    void aSocketOverTlsIsTunnelledToo() throws Exception {
        try (RunningGateway tls = RunningGateway.startWithCopies(temp, Map.of("chat.backend", echo.url(),
                "caravan.tls.certs", Files.createDirectories(temp.resolve("certs")).toString()),
                Path.of("docs/examples/websocket.yaml"))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .sslContext(dev.caravan.testing.TrustAll.context()).build();
            WebSocketClient listener = new WebSocketClient();
            java.net.http.WebSocket socket = client.newWebSocketBuilder().buildAsync(
                    java.net.URI.create("wss://localhost:" + tls.httpsPort() + "/chat"), listener)
                    .get(10, TimeUnit.SECONDS);
            socket.sendText("over tls", true).get(10, TimeUnit.SECONDS);
            assertEquals("over tls", listener.next());
            socket.sendClose(1000, "tls done").get(10, TimeUnit.SECONDS);
            assertEquals("1000 tls done", listener.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void anAccessRuleRefusesTheUpgradeBeforeTheBackend() throws Exception {
        int before = echo.handshakes.size();
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> WebSocketClient.connect(ws(gateway, "/denied")));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
        assertEquals(403, handshake.getResponse().statusCode());
        // sentinel: a handshake that is let through arrives, and is the only new one
        WebSocketClient.connect(ws(gateway, "/ws/sentinel")).socket().sendClose(1000, "");
        Await.until(() -> echo.handshakes.size() == before + 1, "the sentinel handshake");
    }

    @Test
    void aNon101AnswerPassesThroughUnchanged() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response response = raw.exchange("GET /not-a-socket HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("http", response.header("X-Backend"));
            assertEquals("close", response.header("Connection"));
            assertTrue(response.bodyText().toLowerCase().contains("header upgrade: websocket"), response.bodyText());
            assertTrue(response.bodyText().contains("header Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
        }
        Await.until(() -> http.requests().stream().anyMatch(r -> r.uri().equals("/not-a-socket")), "forwarded");
    }

    @Test
    void anUpgradeThatIsNotAPlainGetIsRefused() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response response = raw.exchange("POST /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals(400, response.status());
        }
    }

    @Test
    void anIdleTunnelIsClosed() throws Exception {
        WebSocketClient client = WebSocketClient.connect(ws(gateway, "/idle"));
        assertEquals("still here", client.roundTrip("still here"));
        String end = client.closed.get(10, TimeUnit.SECONDS);
        assertTrue(end.startsWith("error") || end.startsWith("1006"), end);
    }

    @Test
    void aReloadKeepsAnOpenSocketOnItsBackendAndNewOnesGoToTheNewRoute() throws Exception {
        try (WebSocketBackend other = new WebSocketBackend("other");
             RunningGateway reloading = RunningGateway.startWithCopies(temp, Map.of("chat.backend", echo.url(),
                     "caravan.tls.certs", Files.createDirectories(temp.resolve("certs")).toString()),
                     Path.of("docs/examples/websocket.yaml"))) {
            WebSocketClient open = WebSocketClient.connect(ws(reloading, "/chat"));
            assertEquals("echo", open.roundTrip("whoami"));
            Path file = temp.resolve("routes/websocket.yaml");
            Files.writeString(file, Files.readString(file).replace(
                    "{{chat.backend:http://127.0.0.1:9101}}", other.url()));
            Await.until(() -> {
                try {
                    WebSocketClient probe = WebSocketClient.connect(ws(reloading, "/chat"));
                    boolean moved = "other".equals(probe.roundTrip("whoami"));
                    probe.socket().sendClose(1000, "");
                    return moved;
                } catch (Exception e) {
                    return false;
                }
            }, "new sockets reach the reloaded route's backend", java.time.Duration.ofSeconds(20));
            assertEquals("echo", open.roundTrip("whoami"), "the socket opened before the reload kept its backend");
            assertEquals("still open", open.roundTrip("still open"));
            open.socket().sendClose(1000, "done").get(10, TimeUnit.SECONDS);
            assertEquals("1000 done", open.closed.get(10, TimeUnit.SECONDS));
        }
    }
}
