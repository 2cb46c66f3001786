package dev.caravan.server;

import dev.caravan.config.RouteReloader;
import dev.caravan.testing.Await;
import dev.caravan.testing.CaravanThreads;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot reload inside a host application, turned on by {@code caravan.routes.dir}: the folder's YAML routes are swapped
 * without touching the routes the host defined in Java, a file cannot take a host route's id or its listener, host
 * and path, and the reloader stops with the context.
 */
class EmbeddedReloadTest {

    @TempDir
    Path temp;

    private static String yaml(String id, String path, String version, String backend) {
        return """
                - route:
                    id: %s
                    from:
                      uri: caravan:http?path=%s
                      steps:
                        - setHeader:
                            name: X-Version
                            constant: %s
                        - to: "caravan-forward:%s"
                """.formatted(id, path, version, backend);
    }

    private static RawHttp.Response get(int port, String target) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            return http.exchange("GET " + target + " HTTP/1.1\r\nHost: app\r\n\r\n");
        }
    }

    @Test
    void folderRoutesReloadBesideTheHostsJavaRoutes() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        CaravanThreads threads = CaravanThreads.snapshot();
        try (TestBackend a = TestBackend.start("a"); TestBackend b = TestBackend.start("b");
             DefaultCamelContext context = new DefaultCamelContext()) {
            Files.writeString(routes.resolve("yaml.yaml"), yaml("yaml", "/yaml", "1", b.url()));
            context.getPropertiesComponent().addInitialProperty("caravan.http.host", "127.0.0.1");
            context.getPropertiesComponent().addInitialProperty("caravan.http.port", "0");
            context.getPropertiesComponent().addInitialProperty("caravan.routes.dir", routes.toString());
            context.getPropertiesComponent().addInitialProperty("caravan.routes.reloadInterval", "100");
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("caravan:http?path=/java").routeId("java").to("caravan-forward:" + a.url());
                    from("direct:ping").routeId("ping").setBody(constant("pong"));
                }
            });
            context.start();
            CaravanServer server = CaravanServer.find(context).orElseThrow();
            RouteReloader reloader = server.reloader();
            int port = server.httpPort();
            assertEquals("a", get(port, "/java").echoed("backend"));
            assertEquals("1", get(port, "/yaml").echoedHeader("X-Version"));

            // a changed file is swapped in; the host's routes are not touched
            Files.writeString(routes.resolve("yaml.yaml"), yaml("yaml", "/yaml", "2", b.url()));
            Await.until(() -> reloader.generation() == 2, "changed file applied");
            assertEquals("2", get(port, "/yaml").echoedHeader("X-Version"));
            assertEquals("a", get(port, "/java").echoed("backend"));
            assertTrue(context.getRouteController().getRouteStatus("java").isStarted());

            // a file may not take the id of a host route, nor its listener, host and path
            Files.writeString(routes.resolve("clash.yaml"), yaml("java", "/other", "x", b.url()));
            Await.until(() -> reloader.lastError() != null, "id clash rejected");
            assertTrue(reloader.lastError().contains("Route id 'java'")
                    && reloader.lastError().contains("clash.yaml:1")
                    && reloader.lastError().contains("already used by a route of the application"),
                    reloader.lastError());
            Files.writeString(routes.resolve("clash.yaml"), yaml("shadow", "/java", "x", b.url()));
            Await.until(() -> reloader.lastError() != null && reloader.lastError().contains("'shadow'"),
                    "path clash rejected");
            assertTrue(reloader.lastError().contains("'java' (defined by the application)")
                    && reloader.lastError().contains("path /java"), reloader.lastError());
            assertEquals("a", get(port, "/java").echoed("backend"), "the host's route keeps its requests");
            assertEquals(2, reloader.generation());

            // removing the folder's files removes only the folder's routes
            Files.delete(routes.resolve("clash.yaml"));
            Files.delete(routes.resolve("yaml.yaml"));
            Await.until(() -> reloader.generation() == 3, "removal applied");
            assertNull(reloader.lastError());
            Await.until(reloader::settled, "retired route gone");
            assertEquals(404, get(port, "/yaml").status());
            assertEquals("a", get(port, "/java").echoed("backend"));
            assertEquals("pong", context.createProducerTemplate().requestBody("direct:ping", "", String.class));
            assertEquals(2, context.getRoutes().size(), context.getRoutes().toString());

            context.stop();
            assertTrue(CaravanThreads.released(port));
        }
        threads.awaitAllEnded();
    }
}
