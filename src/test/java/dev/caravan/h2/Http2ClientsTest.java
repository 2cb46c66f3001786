package dev.caravan.h2;

import dev.caravan.http.RequestLog;
import dev.caravan.testing.Await;
import dev.caravan.testing.H2Client;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import dev.caravan.testing.TrustAll;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 with real clients: the JDK's HttpClient over TLS (ALPN h2, and http/1.1 for clients without HTTP/2), and
 * Netty's HTTP/2 client with h2c prior knowledge; every stream runs through the same route and steps as HTTP/1.1.
 */
class Http2ClientsTest {

    private static TestBackend backend;
    private static RunningGateway gateway;
    private static final ConcurrentLinkedQueue<RequestLog> finished = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b");
        Path certs = Files.createTempDirectory("h2-certs");
        gateway = RunningGateway.startWithCopies(Files.createTempDirectory("h2-routes"), Map.of(
                "app.backend", backend.url(),
                "caravan.http.h2c", "true",
                "caravan.tls.certs", certs.toString()), Path.of("docs/examples/http2.yaml"));
        gateway.listener("http").onExchangeFinished(e -> finished.add(e.log()));
        gateway.listener("https").onExchangeFinished(e -> finished.add(e.log()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static HttpClient jdk(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version).sslContext(TrustAll.context()).build();
    }

    private static String echoed(String body, String key) {
        for (String line : body.split("\n")) {
            if (line.startsWith(key + " ")) {
                return line.substring(key.length() + 1);
            }
        }
        return null;
    }

    @Test
    void theJdkClientSpeaksHttp2OverTlsThroughTheRouteAndItsSteps() throws Exception {
        HttpClient client = jdk(HttpClient.Version.HTTP_2);
        URI uri = URI.create("https://localhost:" + gateway.httpsPort() + "/echo/a%20b?q=1+2");
        HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(uri)
                .header("X-Custom", "yes").build(), BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals(200, response.statusCode());
        assertEquals("caravan", response.headers().firstValue("x-served").orElse(null));
        assertEquals("/echo/a%20b?q=1+2", echoed(response.body(), "target"));
        HttpRequest seen = backend.lastRequest();
        assertEquals("acme", seen.headers().get("X-Tenant"));
        assertEquals("yes", seen.headers().get("x-custom"));
        assertEquals("localhost:" + gateway.httpsPort(), seen.headers().get(HttpHeaderNames.HOST));
        assertEquals("https", seen.headers().get("X-Forwarded-Proto"));
        assertNull(seen.headers().get("x-http2-stream-id"), "no HTTP/2 conversion artefact reaches the backend");
        Await.until(() -> finished.stream().anyMatch(l -> "HTTP/2".equals(l.protocol())
                && l.status() == 200), "an HTTP/2 exchange in the request log");

        byte[] upload = new byte[300_000];
        new java.util.Random(7).nextBytes(upload);
        CRC32 crc = new CRC32();
        crc.update(upload);
        HttpResponse<String> posted = client.send(java.net.http.HttpRequest.newBuilder(
                URI.create("https://localhost:" + gateway.httpsPort() + "/upload"))
                .POST(BodyPublishers.ofByteArray(upload)).build(), BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, posted.version());
        assertEquals("300000", echoed(posted.body(), "body-bytes"));
        assertEquals(Long.toString(crc.getValue()), echoed(posted.body(), "body-crc"));
    }

    @Test
    void aClientWithoutHttp2StillGetsHttp11OverTls() throws Exception {
        HttpResponse<String> response = jdk(HttpClient.Version.HTTP_1_1).send(java.net.http.HttpRequest.newBuilder(
                URI.create("https://localhost:" + gateway.httpsPort() + "/one")).build(), BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals("/one", echoed(response.body(), "target"));
    }

    @Test
    void http11ClientsStillWorkOnTheH2cListener() throws Exception {
        assertEquals(200, gateway.get("/plain").status());
    }

    @Test
    void hundredConcurrentStreamsOnOneH2cConnection() throws Exception {
        try (H2Client client = new H2Client(gateway.port())) {
            List<H2Client.Stream> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                streams.add(client.get("/item/" + i, true));
            }
            for (int i = 0; i < 100; i++) {
                H2Client.Stream stream = streams.get(i);
                assertEquals(200, stream.status());
                String body = stream.bodyText();
                assertEquals("/item/" + i, echoed(body, "target"));
                assertEquals("X-Tenant: acme", body.lines().filter(l -> l.startsWith("header X-Tenant"))
                        .findFirst().orElse("").substring(7));
                assertEquals("caravan", stream.head.get().get("x-served").toString());
            }
        }
    }

    @Test
    void aStreamWhoseClientDoesNotReadStallsOnlyItself() throws Exception {
        try (H2Client client = new H2Client(gateway.port())) {
            long size = 20_000_000;
            H2Client.Stream held = client.get("/download/" + size, false);
            Await.until(() -> backend.bytesStreamed() > 0, "the held download started");
            // the held stream grants no window: the gateway can send it 64 KiB, then that stream waits; the others go on
            for (int i = 0; i < 20; i++) {
                H2Client.Stream other = client.get("/other/" + i, true);
                assertEquals("/other/" + i, echoed(other.bodyText(), "target"));
            }
            assertFalse(held.done.isDone(), "the held stream cannot have finished");
            assertTrue(backend.bytesStreamed() < size, "the backend was held back too");
            held.read();
            assertEquals(200, held.status());
            held.done.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(size, held.bytes());
        }
    }

    @Test
    void anUploadToABackendThatDoesNotReadStallsOnlyItsStream() throws Exception {
        // a backend that takes the connection and never reads: the upload fills its socket, then Caravan stops
        // reading the stream, then the client's window for that stream runs out; other streams go on
        try (java.net.ServerSocket deaf = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             RunningGateway own = RunningGateway.startWithCopies(Files.createTempDirectory("h2-deaf"), Map.of(
                     "app.backend", "http://127.0.0.1:" + deaf.getLocalPort(), "caravan.http.h2c", "true",
                     "caravan.tls.certs", Files.createTempDirectory("h2-deaf-certs").toString()),
                     Path.of("docs/examples/http2.yaml"));
             H2Client client = new H2Client(own.port())) {
            java.net.Socket accepted = null;
            H2Client.Stream upload = client.request(H2Client.headers("POST", "/upload"), null, true, false);
            accepted = deaf.accept();
            byte[] chunk = new byte[64 * 1024];
            long offered = 0;
            while (upload.writable() && offered < 256L << 20) {
                upload.send(chunk);
                offered += chunk.length;
                if (!upload.writable()) {
                    Thread.sleep(50); // a moment for the window to come back, if it would
                }
            }
            assertFalse(upload.writable(), "the stream's window ran out long before 256 MiB");
            try (H2Client other = new H2Client(gateway.port())) {
                H2Client.Stream quick = other.get("/quick", true);
                assertEquals(200, quick.status());
            }
            // another stream on the same connection is still served (Caravan answers this one itself: 400)
            H2Client.Stream sameConnection = client.get("/a%2Fb", true);
            assertEquals(400, sameConnection.status());
            accepted.close();
        }
    }

    @Test
    void anUploadIsFramedForTheBackendFromWhatTheStreamCarried() throws Exception {
        try (H2Client client = new H2Client(gateway.port())) {
            byte[] body = "hello, backend".getBytes();
            H2Client.Stream chunked = client.request(H2Client.headers("POST", "/chunked"), body, true);
            assertEquals("14", echoed(chunked.bodyText(), "body-bytes"));
            HttpRequest seen = backend.lastRequest();
            assertEquals("chunked", seen.headers().get(HttpHeaderNames.TRANSFER_ENCODING));
            assertNull(seen.headers().get(HttpHeaderNames.CONTENT_LENGTH));

            H2Client.Stream sized = client.request(H2Client.headers("POST", "/sized")
                    .set("content-length", "14"), body, true);
            assertEquals("14", echoed(sized.bodyText(), "body-bytes"));
            seen = backend.lastRequest();
            assertEquals("14", seen.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            assertNull(seen.headers().get(HttpHeaderNames.TRANSFER_ENCODING));

            H2Client.Stream crumbs = client.request(H2Client.headers("GET", "/cookies")
                    .add("cookie", "a=1").add("cookie", "b=2"), null, true);
            assertEquals(200, crumbs.status());
            crumbs.bodyText();
            assertEquals("a=1; b=2", backend.lastRequest().headers().get(HttpHeaderNames.COOKIE));
        }
    }
}
