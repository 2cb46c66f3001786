package dev.caravan.server;

import dev.caravan.testing.ForkedCaravan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --validate [routes-dir]} checks a folder and the settings for users' CI, binding nothing, exit 0 or 1. */
class ValidateCommandTest {

    @TempDir
    Path temp;

    private static final String ROUTE = """
            - route:
                id: %s
                from:
                  uri: caravan:http
                  parameters:
                    path: %s
                  steps:
                    - to: "caravan-forward:{{backend.url:http://127.0.0.1:9}}"
            """;

    @Test
    void aGoodFolderPassesWithoutBindingAnything() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("good"));
        Files.writeString(routes.resolve("a.yaml"), ROUTE.formatted("a", "/a"));
        Files.writeString(routes.resolve("b.yaml"), ROUTE.formatted("b", "/b"));
        // the configured port is taken: a validation that bound it would fail
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            ForkedCaravan.Result result = ForkedCaravan.run(temp, "--validate", routes.toString(),
                    "--caravan.http.host=127.0.0.1", "--caravan.http.port=" + taken.getLocalPort(),
                    "--caravan.tls.certs=" + Files.createDirectories(temp.resolve("certs")));
            assertEquals(0, result.exitCode(), result.output());
            assertEquals(1, result.lines("Valid: 2 route(s) from 2 file(s) in " + routes).size(), result.output());
            assertTrue(result.lines(" ERROR ").isEmpty(), result.output());
        }
    }

    @Test
    void aBadFolderFailsWithTheSameMessageAsAReload() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("bad"));
        Files.writeString(routes.resolve("a.yaml"), ROUTE.formatted("app", "/a"));
        Files.writeString(routes.resolve("b.yaml"), ROUTE.formatted("app", "/b"));
        ForkedCaravan.Result result = ForkedCaravan.run(temp, "--validate", routes.toString(),
                "--caravan.https.enabled=false");
        assertEquals(1, result.exitCode(), result.output());
        assertEquals(1, result.lines(" ERROR ").size(), result.output());
        assertTrue(result.lines(" ERROR ").get(0).contains("Invalid: Route id 'app' is used twice: "
                + routes.resolve("a.yaml") + ":1 and " + routes.resolve("b.yaml") + ":1"), result.output());
    }

    @Test
    void aBadSettingFails() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(temp.resolve("application.properties"), "caravan.http.port = eighty\n");
        ForkedCaravan.Result result = ForkedCaravan.run(temp, "--validate", routes.toString());
        assertEquals(1, result.exitCode(), result.output());
        assertEquals(1, result.lines(" ERROR ").size(), result.output());
        assertTrue(result.lines(" ERROR ").get(0).contains("caravan.http.port must be a whole number"),
                result.output());
    }

    @Test
    void aLogbackXmlInTheWorkingDirectoryReplacesTheBuiltInLogging() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/logback.xml"), temp.resolve("logback.xml"));
        ForkedCaravan.Result result = ForkedCaravan.run(temp, false, "--validate", routes.toString(),
                "--caravan.https.enabled=false");
        assertEquals(0, result.exitCode(), result.output());
        // its pattern (no thread name), and its levels: Camel's own INFO lines are shown
        assertTrue(result.output().lines().anyMatch(l -> l.matches(".* INFO  Caravan - Valid: 0 route\\(s\\).*")),
                result.output());
        assertTrue(result.lines("[main]").isEmpty(), result.output());
        assertTrue(result.output().lines().anyMatch(l -> l.contains(" INFO  AbstractCamelContext - ")), result.output());
    }
}
