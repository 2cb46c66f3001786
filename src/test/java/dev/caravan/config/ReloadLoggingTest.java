package dev.caravan.config;

import ch.qos.logback.classic.Level;
import dev.caravan.testing.Await;
import dev.caravan.testing.LogCapture;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under the logging configuration Caravan ships (issue 8, defect 7): one INFO line per applied change, one WARN per
 * rejected one, and none of Camel's route start/stop or validation-context chatter.
 */
class ReloadLoggingTest {

    @TempDir
    Path temp;

    private static String route(String path) {
        return """
                - route:
                    id: app
                    from:
                      uri: caravan:http
                      parameters:
                        path: %s
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                - route:
                    id: other
                    from:
                      uri: caravan:http
                      parameters:
                        path: /other
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """.formatted(path);
    }

    @Test
    void oneLinePerChange() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path file = dir.resolve("app.yaml");
            Files.writeString(file, route("/a"));
            try (LogCapture log = new LogCapture();
                 RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url(),
                         "caravan.https.enabled", "false"))) {
                List<String> startLines = log.lines(Level.INFO);
                assertTrue(startLines.stream().noneMatch(l -> l.contains("Routes startup")), startLines.toString());
                assertTrue(startLines.stream().noneMatch(l -> l.contains("caravan-validation")), startLines.toString());
                assertTrue(startLines.stream().anyMatch(l -> l.contains("Routes generation 1 live")),
                        startLines.toString());

                log.clear();
                Files.writeString(file, route("/b"));
                Await.until(() -> gateway.reloader().generation() == 2, "change applied");
                Await.until(() -> gateway.reloader().settled(), "old route gone");
                List<String> lines = log.lines(Level.DEBUG);
                assertEquals(1, lines.size(), "lines for one applied change: " + lines);
                String line = lines.get(0);
                assertTrue(line.startsWith("INFO dev.caravan.config.RouteReloader - Routes generation 2 live in ")
                        && line.contains("changed app.yaml") && line.contains("changed [app]")
                        && line.contains("added []") && line.contains("removed []"), line);

                log.clear();
                Files.writeString(file, route("/b").replace("steps:", "stepz:"));
                Await.until(() -> gateway.reloader().lastError() != null, "change rejected");
                Thread.sleep(300); // later polls of the same rejected content say nothing
                lines = log.lines(Level.DEBUG);
                assertEquals(1, lines.size(), "lines for one rejected change: " + lines);
                assertTrue(lines.get(0).startsWith("WARN dev.caravan.config.RouteReloader - Rejected change "
                        + "(changed app.yaml), generation 2 keeps serving: " + file + ":"), lines.get(0));
            }
        }
    }
}
