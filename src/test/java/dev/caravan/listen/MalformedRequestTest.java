package dev.caravan.listen;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests a proxy must refuse (malformed or smuggling-prone): a 4xx/5xx, the connection closed, nothing forwarded. */
class MalformedRequestTest {

    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b1");
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/forwarding"),
                Map.of("backend.url", backend.url(), "dead.url", "http://127.0.0.1:1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "TE and CL together       | 400 | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
        "two different lengths    | 400 | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4\\r\\nContent-Length: 5\\r\\n\\r\\nabcde",
        "unknown transfer coding  | 501 | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n",
        "chunked not last         | 501 | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n",
        "TE on HTTP/1.0           | 400 | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
        "bare LF line endings     | 400 | GET / HTTP/1.1\\nHost: a\\n\\n",
        "missing Host             | 400 | GET / HTTP/1.1\\r\\n\\r\\n",
        "two Host headers         | 400 | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n",
        "garbage request line     | 400 | HELLO\\r\\n\\r\\n",
        "negative length          | 400 | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1\\r\\n\\r\\n",
        "space before colon       | 400 | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n",
        "WebSocket upgrade on POST | 400 | POST /ws HTTP/1.1\\r\\nHost: a\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\nContent-Length: 0\\r\\n\\r\\n",
        "WebSocket upgrade on 1.0 | 400 | GET /ws HTTP/1.0\\r\\nHost: a\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\n\\r\\n",
    })
    void refusesAndClosesTheConnection(String name, int status, String raw) throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange(raw.replace("\\r", "\r").replace("\\n", "\n"));
            assertEquals(status, response.status(), name);
            assertEquals("close", response.header("Connection"));
            assertFalse(response.bodyText().contains("Exception"));
            assertTrue(http.isClosedByServer(), "connection left open after: " + name);
        }
        assertEquals(before, backend.requests().size(), "a refused request reached the backend: " + name);
    }

    @org.junit.jupiter.api.Test
    void nothingPipelinedBehindARefusedRequestReachesABackend() throws Exception {
        int before = backend.requests().size();
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"
                    + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(501, response.status());
            assertTrue(http.isClosedByServer());
        }
        // sentinel: a request sent after the refusal was answered must be the only one the backend saw
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(200, http.exchange("GET /sentinel HTTP/1.1\r\nHost: a\r\n\r\n").status());
        }
        assertEquals(before + 1, backend.requests().size(), "a request behind a refused one reached the backend");
        assertEquals("/sentinel", backend.lastRequest().uri());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "huge request line | 414 | 9000",
        "huge headers      | 431 | 20000",
    })
    void refusesOversizedHeads(String name, int status, int size) throws Exception {
        String raw = name.contains("line")
                ? "GET /" + "a".repeat(size) + " HTTP/1.1\r\nHost: a\r\n\r\n"
                : "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(size) + "\r\n\r\n";
        try (RawHttp http = new RawHttp(gateway.port())) {
            assertEquals(status, http.exchange(raw).status());
        }
    }
}
