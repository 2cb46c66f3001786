package dev.caravan.config;

import ch.qos.logback.classic.Level;
import dev.caravan.testing.Await;
import dev.caravan.testing.LogCapture;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code application.properties} is part of the configuration (issue 8, defect 6): placeholder changes rebuild the
 * routes, settings read once at start say they need a restart, unknown {@code caravan.*} names get a warning naming
 * the closest known one, and going back to the live version after a rejected change is said once.
 */
class PropertiesReloadTest {

    private static final String ROUTE = """
            - route:
                id: app
                from:
                  uri: caravan:http
                  steps:
                    - to: "caravan-forward:{{backend.url}}"
            """;

    @TempDir
    Path temp;

    @Test
    void aChangedPlaceholderValueRebuildsTheRoutesThatUseIt() throws Exception {
        try (TestBackend one = TestBackend.start("one"); TestBackend two = TestBackend.start("two")) {
            Path dir = routes();
            Path properties = temp.resolve("application.properties");
            Files.writeString(properties, "backend.url = " + one.url() + "\n");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of(), properties)) {
                assertEquals("one", gateway.get("/x").echoed("backend"));
                Files.writeString(properties, "backend.url = " + two.url() + "\n");
                Await.until(() -> gateway.reloader().generation() == 2, "properties change applied");
                assertEquals("two", gateway.get("/x").echoed("backend"));
            }
        }
    }

    @Test
    void aPropertiesFileCreatedWhileRunningIsReadToo() throws Exception {
        try (TestBackend one = TestBackend.start("one")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("app.yaml"), ROUTE.replace("{{backend.url}}", "{{backend.url:http://127.0.0.1:9}}"));
            Path properties = temp.resolve("application.properties");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of(), properties)) {
                assertEquals(502, gateway.get("/x").status());
                Files.writeString(properties, "backend.url = " + one.url() + "\n");
                Await.until(() -> gateway.reloader().generation() == 2, "new properties file applied");
                assertEquals("one", gateway.get("/x").echoed("backend"));
                Files.delete(properties);
                Await.until(() -> gateway.reloader().generation() == 3, "removed properties file applied");
                assertEquals(502, gateway.get("/x").status());
            }
        }
    }

    @Test
    void settingsReadAtStartSayTheyNeedARestart() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = routes();
            Path properties = temp.resolve("application.properties");
            Files.writeString(properties, "backend.url = " + backend.url() + "\n");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of(), properties);
                 LogCapture log = new LogCapture()) {
                Files.writeString(properties, "backend.url = " + backend.url() + "\ncaravan.client.keepAliveTimeout = 1234\n"
                        + "caravan.io.threads = 1\n");
                Await.until(() -> gateway.reloader().generation() == 2, "properties change applied");
                List<String> warnings = log.lines(Level.WARN);
                assertTrue(warnings.stream().anyMatch(l -> l.contains("caravan.client.keepAliveTimeout")
                        && l.contains("needs a restart")), warnings.toString());
                assertTrue(warnings.stream().anyMatch(l -> l.contains("caravan.io.threads")
                        && l.contains("needs a restart")), warnings.toString());
                assertEquals(200, gateway.get("/x").status());
            }
        }
    }

    @Test
    void anUnknownSettingIsWarnedAboutWithTheClosestKnownName() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = routes();
            Path properties = temp.resolve("application.properties");
            Files.writeString(properties, "backend.url = " + backend.url() + "\ncaravan.routes.reloadIntervall = 200\n");
            System.setProperty("caravan.tls.expiryWarningDay", "5");
            try (LogCapture log = new LogCapture();
                 RunningGateway gateway = RunningGateway.start(dir, Map.of("caravan.htps.port", "0"), properties)) {
                System.clearProperty("caravan.tls.expiryWarningDay");
                List<String> warnings = log.lines(Level.WARN);
                assertTrue(warnings.stream().anyMatch(l -> l.contains("Unknown setting caravan.tls.expiryWarningDay ")
                        && l.contains("did you mean caravan.tls.expiryWarningDays?")), warnings.toString());
                assertTrue(warnings.stream().anyMatch(l -> l.contains("Unknown setting caravan.routes.reloadIntervall")
                        && l.contains("did you mean caravan.routes.reloadInterval?")), warnings.toString());
                assertTrue(warnings.stream().anyMatch(l -> l.contains("Unknown setting caravan.htps.port (command line)")
                        && l.contains("did you mean caravan.https.port?")), warnings.toString());

                log.clear();
                Files.writeString(properties, "backend.url = " + backend.url() + "\ncaravan.routes.reloadIntervall = 200\n"
                        + "caravan.tls.cert = x.pem\n");
                Await.until(() -> gateway.reloader().generation() == 2, "properties change applied");
                warnings = log.lines(Level.WARN);
                assertTrue(warnings.stream().anyMatch(l -> l.contains("Unknown setting caravan.tls.cert ")
                        && l.contains("did you mean caravan.tls.certs?")), warnings.toString());
                assertTrue(warnings.stream().noneMatch(l -> l.contains("reloadIntervall")), "warned twice: " + warnings);
            } finally {
                System.clearProperty("caravan.tls.expiryWarningDay");
            }
        }
    }

    @Test
    void goingBackToTheLiveVersionAfterARejectedChangeIsSaidOnce() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = routes();
            Path properties = temp.resolve("application.properties");
            String good = "backend.url = " + backend.url() + "\n";
            Files.writeString(properties, good);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of(), properties);
                 LogCapture log = new LogCapture()) {
                Files.writeString(properties, good + "caravan.client.keepAliveTimeout = soon\n");
                Await.until(() -> gateway.reloader().lastError() != null, "bad value rejected");
                assertTrue(gateway.reloader().lastError().contains("caravan.client.keepAliveTimeout must be a whole number"),
                        gateway.reloader().lastError());
                Files.writeString(properties, good);
                Await.until(() -> gateway.reloader().lastError() == null, "revert noticed");

                Files.writeString(dir.resolve("app.yaml"), ROUTE.replace("steps:", "stepz:"));
                Await.until(() -> gateway.reloader().lastError() != null, "bad route file rejected");
                Files.writeString(dir.resolve("app.yaml"), ROUTE);
                Await.until(() -> gateway.reloader().lastError() == null, "revert noticed");
                Thread.sleep(300); // a few more polls: the revert must still be said only once

                List<String> lines = log.lines(Level.INFO);
                assertEquals(2, lines.stream().filter(l -> l.contains("WARN") && l.contains("Rejected change")).count(),
                        lines.toString());
                assertEquals(2, lines.stream().filter(l -> l.contains("back to the live version")).count(),
                        lines.toString());
                assertEquals(4, lines.size(), lines.toString());
                assertEquals(1, gateway.reloader().generation());
            }
        }
    }

    private Path routes() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("app.yaml"), ROUTE);
        return dir;
    }

}
