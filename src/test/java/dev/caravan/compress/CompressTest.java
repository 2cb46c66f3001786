package dev.caravan.compress;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import dev.caravan.testing.OriginBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compression through a real gateway: negotiation from Accept-Encoding with q-values, the cases that must not be
 * compressed, byte-exact decompression of a large streamed body, and compressed variants in the cache.
 */
class CompressTest {

    @TempDir
    static Path temp;
    private static OriginBackend origin;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginBackend.start();
        gateway = RunningGateway.startWithCopies(temp, Map.of("assets.backend", origin.url(),
                        "catalog.backends", origin.url()),
                Path.of("docs/examples/compression.yaml"), Path.of("docs/examples/proxy-cache.yaml"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
    }

    static RawHttp.Response get(String target, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: compress.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    static byte[] text(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = OriginBackend.textAt(i);
        }
        return bytes;
    }

    static byte[] gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    static byte[] unbrotli(byte[] body) throws IOException {
        Brotli4jLoader.ensureAvailability();
        try (InputStream in = new BrotliInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    @Test
    void gzipForAClientThatAcceptsOnlyGzip() throws Exception {
        RawHttp.Response response = get("/assets/page?size=50000", "Accept-Encoding: gzip");
        assertEquals(200, response.status());
        assertEquals("gzip", response.header("Content-Encoding"));
        assertEquals("Accept-Encoding", response.header("Vary"));
        assertNull(response.header("Content-Length"));
        assertEquals("chunked", response.header("Transfer-Encoding"));
        assertTrue(response.body().length < 50000 / 5, "compressed: " + response.body().length);
        assertArrayEquals(text(50000), gunzip(response.body()));
    }

    @Test
    void qValuesPickTheCoding() throws Exception {
        assertEquals("br", get("/assets/q?size=5000", "Accept-Encoding: gzip, br").header("Content-Encoding"));
        assertEquals("gzip", get("/assets/q?size=5000", "Accept-Encoding: br;q=0.5, gzip").header("Content-Encoding"));
        assertEquals("gzip", get("/assets/q?size=5000", "Accept-Encoding: *;q=0.1, br;q=0")
                .header("Content-Encoding"));
        assertNull(get("/assets/q?size=5000", "Accept-Encoding: gzip;q=0, br;q=0").header("Content-Encoding"));
        assertNull(get("/assets/q?size=5000", "Accept-Encoding: identity").header("Content-Encoding"));
        RawHttp.Response none = get("/assets/q?size=5000");
        assertNull(none.header("Content-Encoding"), "no Accept-Encoding: no coding");
        assertEquals("5000", none.header("Content-Length"));
        assertEquals("Accept-Encoding", none.header("Vary"));
        RawHttp.Response br = get("/assets/q?size=5000", "Accept-Encoding: br");
        assertArrayEquals(text(5000), unbrotli(br.body()));
    }

    @Test
    void whatMustNotBeCompressedIsNot() throws Exception {
        String ae = "Accept-Encoding: gzip, br";
        assertNull(get("/assets/small?size=500", ae).header("Content-Encoding"), "under minSize");
        RawHttp.Response coded = get("/assets/coded?size=5000&ce=gzip", ae);
        assertEquals("gzip", coded.header("Content-Encoding"), "already coded: passed as it is");
        assertArrayEquals(text(5000), coded.body());
        assertNull(get("/assets/nt?size=5000&cc=" + enc("public, no-transform"), ae).header("Content-Encoding"));
        assertNull(get("/assets/png?size=5000&type=image/png", ae).header("Content-Encoding"));
        assertNull(get("/assets/png?size=5000&type=image/png", ae).header("Vary"));
        assertNull(get("/assets/partial?size=5000&status=206", ae).header("Content-Encoding"));
        assertEquals("br", get("/assets/json?size=5000&type=" + enc("application/json; charset=utf-8"), ae)
                .header("Content-Encoding"));
    }

    @Test
    void aStrongETagBecomesWeakWhenTheBodyIsCompressed() throws Exception {
        RawHttp.Response coded = get("/assets/tag?size=5000&etag=" + enc("\"t1\""), "Accept-Encoding: gzip");
        assertEquals("W/\"t1\"", coded.header("ETag"));
        RawHttp.Response plain = get("/assets/tag?size=5000&etag=" + enc("\"t1\""));
        assertEquals("\"t1\"", plain.header("ETag"));
    }

    @Test
    void aLargeStreamedBodyDecompressesByteForByte() throws Exception {
        long size = 30_000_000;
        for (String coding : new String[] {"gzip", "br"}) {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(gateway.url() + "/assets/large-" + coding + "?chunked&size="
                            + size)).header("Accept-Encoding", coding).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(coding, response.headers().firstValue("Content-Encoding").orElse(null));
            long n = 0;
            long mismatches = 0;
            try (InputStream in = coding.equals("gzip") ? new GZIPInputStream(response.body(), 65536)
                    : new BrotliInputStream(response.body())) {
                byte[] buffer = new byte[65536];
                int read;
                while ((read = in.read(buffer)) > 0) {
                    for (int i = 0; i < read; i++) {
                        if (buffer[i] != OriginBackend.textAt(n + i)) {
                            mismatches++;
                        }
                    }
                    n += read;
                }
            }
            assertEquals(size, n, coding);
            assertEquals(0, mismatches, coding);
        }
    }

    @Test
    void aCachedCompressedVariantIsNeverServedToAClientThatCannotDecodeIt() throws Exception {
        String target = "/catalog/list?size=20000&cc=" + enc("max-age=60");
        RawHttp.Response gz = get(target, "Accept-Encoding: gzip, deflate");
        assertEquals("gzip", gz.header("Content-Encoding"));
        assertEquals("caravan; fwd=miss; stored", gz.header("Cache-Status"));
        RawHttp.Response plain = get(target);
        assertNull(plain.header("Content-Encoding"));
        assertEquals("caravan; fwd=vary-miss; stored", plain.header("Cache-Status"));
        assertArrayEquals(text(20000), plain.body());
        RawHttp.Response gzAgain = get(target, "Accept-Encoding: deflate, gzip");
        assertEquals("gzip", gzAgain.header("Content-Encoding"));
        assertTrue(gzAgain.header("Cache-Status").startsWith("caravan; hit"), gzAgain.header("Cache-Status"));
        assertArrayEquals(text(20000), gunzip(gzAgain.body()));
        assertEquals(String.valueOf(gzAgain.body().length), gzAgain.header("Content-Length"));
        RawHttp.Response plainAgain = get(target, "Accept-Encoding: identity");
        assertNull(plainAgain.header("Content-Encoding"));
        assertTrue(plainAgain.header("Cache-Status").startsWith("caravan; hit"), plainAgain.header("Cache-Status"));
        assertEquals(2, origin.hits("/list"));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
