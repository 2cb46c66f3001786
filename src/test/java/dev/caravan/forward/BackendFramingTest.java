package dev.caravan.forward;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.ScriptedBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backends that frame their answers badly or abusively: the gateway stays correct and no client pays for it. */
class BackendFramingTest {

    @TempDir
    Path temp;

    private RunningGateway gateway(ScriptedBackend backend) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("all.yaml"), """
                - route:
                    id: all
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:%s?responseTimeout=3000"
                """.formatted(backend.url()));
        return RunningGateway.start(dir, Map.of());
    }

    @Test
    void aResponseThatRunsPastItsLengthClosesItsConnectionAndTheNextRequestIsFine() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(line -> line.startsWith("GET /overrun")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok47C-405E-GARBAGE"
                : "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext");
             RunningGateway gateway = gateway(backend)) {
            try (RawHttp http = new RawHttp(gateway.port())) {
                assertEquals("ok", http.exchange("GET /overrun HTTP/1.1\r\nHost: a\r\n\r\n").bodyText());
                RawHttp.Response next = http.exchange("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals(200, next.status(), "the next request does not pay for the backend's extra bytes");
                assertEquals("next", next.bodyText());
            }
            assertEquals(2, backend.connections(), "the overrun connection was not reused");
        }
    }

    @Test
    void aHeadResponseAfterAnInterimResponseHasNoBody() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(line -> line.startsWith("HEAD")
                ? "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
             RunningGateway gateway = gateway(backend);
             RawHttp http = new RawHttp(gateway.port())) {
            http.send("HEAD /h HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"
                    + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response first = http.read(true);
            if (first.status() == 100) {
                first = http.read(true);
            }
            assertEquals(200, first.status());
            assertEquals("5", first.header("Content-Length"));
            RawHttp.Response after = http.read();
            assertEquals("ok", after.bodyText(), "the HEAD's answer was not taken to have a body");
        }
    }

    @Test
    void aFloodOfInterimResponsesIsCutOff() throws Exception {
        String hint = "HTTP/1.1 103 Early Hints\r\nLink: </" + "x".repeat(24_000) + ">; rel=preload\r\n\r\n";
        try (ScriptedBackend backend = new ScriptedBackend(line -> hint.repeat(200)
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
             RunningGateway gateway = gateway(backend);
             RawHttp http = new RawHttp(gateway.port())) {
            http.send("GET /flood HTTP/1.1\r\nHost: a\r\n\r\n");
            int interims = 0;
            RawHttp.Response response;
            while ((response = http.read()).status() < 200) {
                interims++;
            }
            assertEquals(502, response.status());
            assertTrue(interims <= ForwardCall.MAX_INTERIM_RESPONSES, interims + " interim responses relayed");
        }
    }

    @Test
    void aChunkSizeThatDoesNotFitCutsTheResponseInsteadOfBeingMisread() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(line ->
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000005\r\nhello\r\n0\r\n\r\n");
             RunningGateway gateway = gateway(backend);
             Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /wrap HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String received = readUntilClosed(socket.getInputStream());
            assertFalse(received.contains("hello"), "the wrapped chunk was relayed:\n" + received);
        }
    }

    @Test
    void responseTrailersLoseInternalAndHopByHopFields() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend(line -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: 42\r\nCamelHttpUri: /internal\r\n"
                + "Keep-Alive: timeout=1\r\n\r\n");
             RunningGateway gateway = gateway(backend);
             Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /t HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String received = readUntilClosed(socket.getInputStream());
            assertTrue(received.contains("X-Checksum: 42"), received);
            assertFalse(received.contains("CamelHttpUri") || received.contains("Keep-Alive: timeout=1"), received);
        }
    }

    private static String readUntilClosed(InputStream in) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        try {
            while ((n = in.read(buffer)) > 0) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            // what arrived before the timeout is the answer
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
