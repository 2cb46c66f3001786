package dev.caravan.config;

import dev.caravan.testing.Await;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route folder is one configuration (issue 8, defects 2-4): conflicts between files are rejected naming both
 * places, at start-up and on reload; shared configurations apply to every route, whichever file holds them; and a
 * change that fails going live leaves exactly the previous routes serving.
 */
class WholeSetTest {

    @TempDir
    Path temp;

    private static String route(String id, String path, String version) {
        return """
                - route:
                    id: %s
                    from:
                      uri: caravan:http
                      parameters:
                        path: %s
                      steps:
                        - setHeader:
                            name: X-Version
                            constant: %s
                        - to: "caravan-forward:{{backend.url}}"
                """.formatted(id, path, version);
    }

    @Test
    void aRouteIdUsedInTwoFilesIsRejectedNamingBothFiles() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("a.yaml"), route("app", "/a", "a1"));
            Files.writeString(dir.resolve("b.yaml"), "# second file\n" + route("app", "/b", "b1"));
            IllegalStateException atStart = assertThrows(IllegalStateException.class,
                    () -> RunningGateway.start(dir, Map.of("backend.url", backend.url())));
            assertTrue(atStart.getMessage().contains("a.yaml:1") && atStart.getMessage().contains("b.yaml:2")
                    && atStart.getMessage().contains("'app'"), atStart.getMessage());

            Files.delete(dir.resolve("b.yaml"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                Files.writeString(dir.resolve("b.yaml"), "# second file\n" + route("app", "/b", "b1"));
                Await.until(() -> gateway.reloader().lastError() != null, "duplicate rejected");
                String error = gateway.reloader().lastError();
                assertTrue(error.contains("a.yaml:1") && error.contains("b.yaml:2"), error);
                assertEquals(1, gateway.reloader().generation());
                assertEquals("a1", gateway.get("/a").echoedHeader("X-Version"), "the first app keeps serving");
                assertEquals(404, gateway.get("/b").status());

                Files.writeString(dir.resolve("b.yaml"), route("app2", "/b", "b1"));
                Await.until(() -> gateway.reloader().generation() == 2, "fixed second file applied");
                assertEquals("a1", gateway.get("/a").echoedHeader("X-Version"));
                assertEquals("b1", gateway.get("/b").echoedHeader("X-Version"));
            }
        }
    }

    @Test
    void twoRoutesTakingTheSameListenerHostAndPathAreRejected() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("a.yaml"), route("one", "/x", "1"));
            Files.writeString(dir.resolve("b.yaml"), route("two", "x", "2"));
            IllegalStateException atStart = assertThrows(IllegalStateException.class,
                    () -> RunningGateway.start(dir, Map.of("backend.url", backend.url())));
            assertTrue(atStart.getMessage().contains("a.yaml:1") && atStart.getMessage().contains("b.yaml:1")
                    && atStart.getMessage().contains("path /x"), atStart.getMessage());

            Files.writeString(dir.resolve("b.yaml"), route("two", "/y", "2"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                Files.writeString(dir.resolve("b.yaml"), route("two", "/x", "2"));
                Await.until(() -> gateway.reloader().lastError() != null, "clash rejected");
                assertTrue(gateway.reloader().lastError().contains("'one' (" + dir.resolve("a.yaml") + ":1)"),
                        gateway.reloader().lastError());
                assertEquals("1", gateway.get("/x").echoedHeader("X-Version"));
                assertEquals("2", gateway.get("/y").echoedHeader("X-Version"));
            }
        }
    }

    @Test
    void aRouteConfigurationIdUsedTwiceIsRejectedNamingBothFiles() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("a.yaml"), configuration("common", "a") + route("app", "/", "1"));
            Files.writeString(dir.resolve("b.yaml"), "\n\n" + configuration("common", "b"));
            IllegalStateException atStart = assertThrows(IllegalStateException.class,
                    () -> RunningGateway.start(dir, Map.of("backend.url", backend.url())));
            assertTrue(atStart.getMessage().contains("'common'") && atStart.getMessage().contains("a.yaml:1")
                    && atStart.getMessage().contains("b.yaml:3"), atStart.getMessage());
        }
    }

    /** Defect 3: the second save of a file holding an id'd routeConfiguration used to fail and take its routes down. */
    @Test
    void aFileWithAnIdentifiedRouteConfigurationCanBeSavedAgainAndAgain() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path file = dir.resolve("app.yaml");
            Files.writeString(file, configuration("headers", "v1") + routeUsing("headers"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                assertEquals("v1", gateway.get("/app").echoedHeader("X-Config"));
                for (int save = 2; save <= 4; save++) {
                    int expected = save;
                    Files.writeString(file, configuration("headers", "v" + save) + routeUsing("headers"));
                    Await.until(() -> gateway.reloader().generation() == expected, "save " + expected + " applied");
                    assertNull(gateway.reloader().lastError());
                    assertEquals("v" + save, gateway.get("/app").echoedHeader("X-Config"));
                }
            }
        }
    }

    /** Defect 4: a changed shared routeConfiguration reaches the routes of every file, not only later-saved ones. */
    @Test
    void aChangedSharedRouteConfigurationReachesRoutesInOtherFiles() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("app.yaml"), route("app", "/app", "1"));
            Path config = dir.resolve("z-config.yaml");
            Files.writeString(config, configuration(null, "v1"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                assertEquals("v1", gateway.get("/app").echoedHeader("X-Config"),
                        "a configuration in a later file applies at start");
                Files.writeString(config, configuration(null, "v2"));
                Await.until(() -> gateway.reloader().generation() == 2, "configuration change applied");
                assertEquals("v2", gateway.get("/app").echoedHeader("X-Config"));
                Files.delete(config);
                Await.until(() -> gateway.reloader().generation() == 3, "configuration removal applied");
                assertNull(gateway.get("/app").echoedHeader("X-Config"));
            }
        }
    }

    /** A changed route template re-applies to the templated routes of other files. */
    @Test
    void aChangedRouteTemplateReachesTemplatedRoutesInOtherFiles() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path template = dir.resolve("a-template.yaml");
            Files.writeString(template, template("t1"));
            Files.writeString(dir.resolve("b-uses.yaml"), """
                    - templatedRoute:
                        routeTemplateRef: tagged
                        routeId: tagged-app
                        parameters:
                          - name: path
                            value: /tagged
                    """);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                assertEquals("t1", gateway.get("/tagged").echoedHeader("X-Template"));
                Files.writeString(template, template("t2"));
                Await.until(() -> gateway.reloader().generation() == 2, "template change applied");
                assertEquals("t2", gateway.get("/tagged").echoedHeader("X-Template"));
                Await.until(() -> gateway.reloader().settled(), "old route gone");
                assertFalse(gateway.reloader().draining(), "settled: the reloader stops polling its retired routes");
                assertTrue(gateway.context().getRoute("tagged-app") != null);
            }
        }
    }

    private static String template(String tag) {
        return """
                - routeTemplate:
                    id: tagged
                    parameters:
                      - name: path
                    from:
                      uri: "caravan:http?path={{path}}"
                      steps:
                        - setHeader:
                            name: X-Template
                            constant: %s
                        - to: "caravan-forward:{{backend.url}}"
                """.formatted(tag);
    }

    /**
     * A set that validates but fails going live (here a netty-http route on a port that is taken, which only a real
     * start finds) is rolled back: the routes it started leave, exactly the previous generation serves, and the error
     * says so; nothing claims a restore that did not happen.
     */
    @Test
    void aChangeThatFailsToStartLeavesExactlyThePreviousGenerationServing() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path app = dir.resolve("app.yaml");
            Files.writeString(app, route("app", "/app", "v1"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                Files.writeString(dir.resolve("port.yaml"), """
                        - route:
                            id: taken-port
                            from:
                              uri: "netty-http:http://127.0.0.1:%d/"
                              steps:
                                - setBody:
                                    constant: never
                        """.formatted(taken.getLocalPort()));
                Files.writeString(app, route("app", "/app", "v2") + route("extra", "/extra", "v2"));
                Await.until(() -> gateway.reloader().lastError() != null, "failing change rejected");
                String error = gateway.reloader().lastError();
                assertTrue(error.contains("the previous routes keep serving"), error);
                assertTrue(error.contains(dir.resolve("port.yaml") + ":1: route taken-port did not start: "
                        + "Address already in use"), error);
                assertEquals(1, gateway.reloader().generation());
                assertEquals("v1", gateway.get("/app").echoedHeader("X-Version"));
                assertEquals(404, gateway.get("/extra").status());
                Await.until(() -> gateway.reloader().settled(), "what the failed change started is gone");
                assertTrue(gateway.context().getRoute("taken-port") == null);
                assertEquals(1, gateway.context().getRoutes().size(), gateway.context().getRoutes().toString());

                Files.delete(dir.resolve("port.yaml"));
                Await.until(() -> gateway.reloader().generation() == 2, "change without the bad route applied");
                assertEquals("v2", gateway.get("/app").echoedHeader("X-Version"));
                assertEquals("v2", gateway.get("/extra").echoedHeader("X-Version"));
            }
        }
    }

    private static String configuration(String id, String value) {
        return """
                - routeConfiguration:
                %s    interceptSendToEndpoint:
                      - interceptSendToEndpoint:
                          uri: "caravan-forward*"
                          steps:
                            - setHeader:
                                name: X-Config
                                constant: %s
                """.formatted(id == null ? "" : "    id: " + id + "\n", value);
    }

    private static String routeUsing(String configurationId) {
        return """
                - route:
                    id: app
                    routeConfigurationId: %s
                    from:
                      uri: caravan:http
                      parameters:
                        path: /app
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """.formatted(configurationId);
    }

}
