package dev.caravan.observe;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.testing.Await;
import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access-log lines parsed back field by field, in both formats, for a success, a 404 without a route, a 502 (refused
 * backend), a 504 (response timeout), a refused malformed request and a client that went away mid-request; the
 * per-route step (off, JSON errors only); and the shipped example logging configuration that sends the lines to a
 * rolling file.
 */
class AccessLogTest {

    /** The combined format: nginx's fields, then Caravan's as name=value. */
    static final Pattern COMBINED = Pattern.compile("^(\\S+) - - \\[([^\\]]+)\\] \"(\\S+) (\\S+) (\\S+)\" (\\d+) (\\d+) "
            + "\"((?:[^\"\\\\]|\\\\.)*)\" \"((?:[^\"\\\\]|\\\\.)*)\" rid=(\\S+) trace=(\\S+) route=(\\S+) listener=(\\S+) "
            + "backend=(\\S+) bt=(\\S+) attempts=(\\d+) in=(\\d+) rt=(\\S+) tls=(\\S+) sni=(\\S+) outcome=(\\S+)$");

    @TempDir
    static Path temp;
    private static BrokenBackend dead;
    private static TestBackend backend;
    private static String deadOrigin;
    private static Path routes;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("logged");
        dead = BrokenBackend.refusing();
        deadOrigin = "http://127.0.0.1:" + dead.port();
        routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(routes.resolve("logged.yaml"), """
                - route:
                    id: app
                    from:
                      uri: caravan:http?path=/app
                      steps:
                        - to: "caravan-forward:%1$s?stripPrefix=/app&responseTimeout=400"
                - route:
                    id: dead
                    from:
                      uri: caravan:http?path=/dead
                      steps:
                        - to: "caravan-forward:%2$s"
                - route:
                    id: quiet
                    from:
                      uri: caravan:http?path=/quiet
                      steps:
                        - to: caravan-access-log:off
                        - to: "caravan-forward:%1$s?stripPrefix=/quiet"
                - route:
                    id: errs
                    from:
                      uri: caravan:http?path=/errs
                      steps:
                        - to:
                            uri: caravan-access-log:json
                            parameters:
                              errorsOnly: true
                        - to: "caravan-forward:%1$s?stripPrefix=/errs"
                """.formatted(backend.url(), deadOrigin));
    }

    @AfterAll
    static void stop() {
        backend.close();
        dead.close();
    }

    /** Sends the six cases, each with its own request id, and returns the line of each by case name. */
    private static Map<String, String> sendCases(RunningGateway gateway, AccessLogCapture log) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(200, raw.exchange("GET /app/x?q=a%20b HTTP/1.1\r\nHost: t\r\nX-Request-Id: case-ok\r\n"
                    + "User-Agent: access-test/1.0 \"quoted\"\r\nReferer: http://example.com/from\r\n"
                    + "Content-Length: 5\r\n\r\nhello").status());
        }
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(404, raw.exchange("GET /nowhere HTTP/1.1\r\nHost: t\r\nX-Request-Id: case-404\r\n\r\n").status());
        }
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(502, raw.exchange("GET /dead/x HTTP/1.1\r\nHost: t\r\nX-Request-Id: case-502\r\n\r\n").status());
        }
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(504, raw.exchange("GET /app/slow/3000 HTTP/1.1\r\nHost: t\r\nX-Request-Id: case-504\r\n\r\n")
                    .status());
        }
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(400, raw.exchange("GET /app/x HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-Request-Id: case-bad\r\n\r\n")
                    .status());
        }
        // a client that leaves while the backend is still thinking
        int aborted = backend.requests().size();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.getOutputStream().write(("GET /app/slow/300 HTTP/1.1\r\nHost: t\r\nX-Request-Id: case-gone\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Await.until(() -> backend.requests().size() > aborted, "the request reached the backend");
        }
        Map<String, String> lines = new HashMap<>();
        for (String id : List.of("case-ok", "case-404", "case-502", "case-504", "case-bad", "case-gone")) {
            Await.until(() -> log.lineWith(id) != null, "access-log line of " + id);
            lines.put(id, log.lineWith(id));
        }
        return lines;
    }

    @Test
    void combinedLinesParseBackFieldByField() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.https.enabled", "false"))) {
            Map<String, String> lines = sendCases(gateway, log);

            Matcher ok = parse(lines.get("case-ok"));
            assertEquals("127.0.0.1", ok.group(1));
            assertTrue(ok.group(2).matches("\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}"), ok.group(2));
            assertEquals("GET", ok.group(3));
            assertEquals("/app/x?q=a%20b", ok.group(4), "the raw target, byte for byte");
            assertEquals("HTTP/1.1", ok.group(5));
            assertEquals("200", ok.group(6));
            assertTrue(Long.parseLong(ok.group(7)) > 0, "response body bytes");
            assertEquals("http://example.com/from", ok.group(8));
            assertEquals("access-test/1.0 \\x22quoted\\x22", ok.group(9), "quotes escaped as nginx does");
            assertEquals("case-ok", ok.group(10));
            assertTrue(ok.group(11).matches("[0-9a-f]{32}"), "trace id");
            assertEquals("app", ok.group(12));
            assertEquals("http", ok.group(13));
            assertEquals(backend.url(), ok.group(14));
            assertTrue(ok.group(15).matches("\\d+\\.\\d{3}"), "backend time " + ok.group(15));
            assertEquals("1", ok.group(16));
            assertEquals("5", ok.group(17), "request body bytes");
            assertTrue(ok.group(18).matches("\\d+\\.\\d{3}"));
            assertEquals("-", ok.group(19), "plain HTTP: no TLS");
            assertEquals("completed", ok.group(21));

            Matcher notFound = parse(lines.get("case-404"));
            assertEquals("404", notFound.group(6));
            assertEquals("-", notFound.group(12), "no route");
            assertEquals("-", notFound.group(14), "no backend");
            assertEquals("0", notFound.group(16));

            Matcher refused = parse(lines.get("case-502"));
            assertEquals("502", refused.group(6));
            assertEquals("dead", refused.group(12));
            assertEquals(deadOrigin, refused.group(14));
            assertEquals("-", refused.group(15), "no backend answer, no backend time");
            assertEquals("1", refused.group(16));

            Matcher timeout = parse(lines.get("case-504"));
            assertEquals("504", timeout.group(6));
            assertEquals(backend.url(), timeout.group(14));
            assertTrue(Double.parseDouble(timeout.group(18)) >= 0.4, "at least the response timeout");

            Matcher malformed = parse(lines.get("case-bad"));
            assertEquals("400", malformed.group(6));
            assertEquals("-", malformed.group(12));
            assertEquals("refused", malformed.group(21));

            Matcher gone = parse(lines.get("case-gone"));
            assertEquals("499", gone.group(6), "nginx's status for a client that closed first");
            assertEquals("client_gone", gone.group(21));
            assertEquals("app", gone.group(12));
        }
    }

    @Test
    void jsonLinesParseBackFieldByField() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (AccessLogCapture log = new AccessLogCapture();
             RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.https.enabled", "false",
                     "caravan.http.accessLog", "json"))) {
            Map<String, String> lines = sendCases(gateway, log);

            JsonNode ok = json.readTree(lines.get("case-ok"));
            assertTrue(ok.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"));
            assertEquals("127.0.0.1", ok.get("client").asText());
            assertEquals("GET", ok.get("method").asText());
            assertEquals("/app/x?q=a%20b", ok.get("target").asText());
            assertEquals("HTTP/1.1", ok.get("protocol").asText());
            assertEquals(200, ok.get("status").asInt());
            assertEquals(5, ok.get("bytes_in").asLong());
            assertTrue(ok.get("bytes_out").asLong() > 0);
            assertTrue(ok.get("duration_ms").isNumber());
            assertEquals(backend.url(), ok.get("backend").asText());
            assertTrue(ok.get("backend_ms").isNumber());
            assertEquals(1, ok.get("attempts").asInt());
            assertEquals("app", ok.get("route").asText());
            assertEquals("http", ok.get("listener").asText());
            assertTrue(ok.get("tls_version").isNull());
            assertTrue(ok.get("sni").isNull());
            assertEquals("case-ok", ok.get("request_id").asText());
            assertTrue(ok.get("trace_id").asText().matches("[0-9a-f]{32}"));
            assertEquals("access-test/1.0 \"quoted\"", ok.get("user_agent").asText());
            assertEquals("http://example.com/from", ok.get("referer").asText());
            assertEquals("completed", ok.get("outcome").asText());

            JsonNode notFound = json.readTree(lines.get("case-404"));
            assertEquals(404, notFound.get("status").asInt());
            assertTrue(notFound.get("route").isNull());
            assertTrue(notFound.get("backend").isNull());
            assertTrue(notFound.get("backend_ms").isNull());

            JsonNode refused = json.readTree(lines.get("case-502"));
            assertEquals(502, refused.get("status").asInt());
            assertEquals(deadOrigin, refused.get("backend").asText());

            JsonNode timeout = json.readTree(lines.get("case-504"));
            assertEquals(504, timeout.get("status").asInt());
            assertTrue(timeout.get("duration_ms").asDouble() >= 400);

            JsonNode malformed = json.readTree(lines.get("case-bad"));
            assertEquals(400, malformed.get("status").asInt());
            assertEquals("refused", malformed.get("outcome").asText());

            JsonNode gone = json.readTree(lines.get("case-gone"));
            assertEquals(499, gone.get("status").asInt());
            assertEquals("client_gone", gone.get("outcome").asText());
        }
    }

    @Test
    void aRouteStepTurnsItsLinesOffOrToErrorsOnlyInJson() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.https.enabled", "false"))) {
            send(gateway, "/quiet/x", "quiet-1", 200);
            send(gateway, "/errs/x", "errs-ok", 200);
            send(gateway, "/errs/status/500", "errs-500", 500);
            send(gateway, "/app/x", "sentinel", 200);
            Await.until(() -> log.lineWith("sentinel") != null && log.lineWith("errs-500") != null, "sentinel lines");
            assertNull(log.lineWith("quiet-1"), "caravan-access-log:off");
            assertNull(log.lineWith("errs-ok"), "errorsOnly drops a success");
            JsonNode error = new ObjectMapper().readTree(log.lineWith("errs-500"));
            assertEquals(500, error.get("status").asInt(), "the route's format (json) over the listener's (combined)");
            assertNotNull(parse(log.lineWith("sentinel")));
        }
    }

    @Test
    void theExampleRouteFile() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             RunningGateway gateway = RunningGateway.startWithCopies(temp.resolve("example"), Map.of(
                     "caravan.https.enabled", "false", "app.backend", deadOrigin),
                     Path.of("docs/examples/access-log.yaml"))) {
            // a backend that refuses: errors everywhere, which the probes route still does not log
            send(gateway, "/healthz", "probe-1", 502);
            send(gateway, "/assets/x", "asset-502", 502);
            Await.until(() -> log.lineWith("asset-502") != null, "the error line");
            assertNull(log.lineWith("probe-1"));
            JsonNode error = new ObjectMapper().readTree(log.lineWith("asset-502"));
            assertEquals("assets", error.get("route").asText());
            assertEquals(502, error.get("status").asInt());
        }
    }

    @Test
    void theListenerSettingTurnsItOff() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture();
             RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.https.enabled", "false",
                     "caravan.http.accessLog", "off"))) {
            send(gateway, "/app/x", "off-1", 200);
            // the route step still decides for its own requests: a sentinel that must be logged
            send(gateway, "/errs/status/404", "off-sentinel", 404);
            Await.until(() -> log.lineWith("off-sentinel") != null, "sentinel line");
            assertNull(log.lineWith("off-1"));
        }
    }

    @Test
    void theExampleLoggingConfigurationWritesARollingFile() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Path logs = temp.resolve("logs");
        System.setProperty("CARAVAN_LOG_DIR", logs.toString());
        try {
            configure(context, Path.of("docs/examples/logback-access.xml"));
            try (RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.https.enabled", "false"))) {
                send(gateway, "/app/x", "to-a-file", 200);
                Path file = logs.resolve("access.log");
                Await.until(() -> Files.exists(file) && read(file).contains("rid=to-a-file"), "line in access.log");
                assertNotNull(parse(read(file).lines().filter(l -> l.contains("rid=to-a-file")).findFirst().orElseThrow()));
            }
        } finally {
            System.clearProperty("CARAVAN_LOG_DIR");
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(AccessLogTest.class.getResource("/logback-test.xml"));
        }
    }

    private static void configure(LoggerContext context, Path file) throws Exception {
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(file.toFile());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static void send(RunningGateway gateway, String target, String id, int status) throws IOException {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            assertEquals(status, raw.exchange("GET " + target + " HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + id
                    + "\r\n\r\n").status());
        }
    }

    static Matcher parse(String line) {
        assertNotNull(line);
        Matcher m = COMBINED.matcher(line);
        assertTrue(m.matches(), "not a combined line: " + line);
        return m;
    }
}
