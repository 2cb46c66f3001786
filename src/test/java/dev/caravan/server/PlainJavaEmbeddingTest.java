package dev.caravan.server;

import com.example.plain.PlainJavaGateway;
import dev.caravan.testing.CaravanThreads;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Caravan's components in a {@code CamelContext} the user makes in Java: no camel-main, no Spring. */
class PlainJavaEmbeddingTest {

    @TempDir
    Path temp;

    private static RawHttp.Response get(int port, String target) throws Exception {
        try (RawHttp http = new RawHttp(port)) {
            return http.exchange("GET " + target + " HTTP/1.1\r\nHost: app\r\n\r\n");
        }
    }

    @Test
    void theDocumentedGatewayProxiesAndStopsCleanly() throws Exception {
        CaravanThreads threads = CaravanThreads.snapshot();
        try (TestBackend backend = TestBackend.start("plain")) {
            CamelContext context = PlainJavaGateway.start(0, backend.url());
            int port = CaravanServer.find(context).orElseThrow().httpPort();
            try {
                RawHttp.Response response = get(port, "/api/items/7?q=a+b");
                assertEquals(200, response.status());
                assertEquals("/items/7?q=a+b", response.echoed("target"));
            } finally {
                context.stop();
            }
            assertTrue(CaravanThreads.released(port), "port " + port + " still accepts");
            threads.awaitAllEnded();
            assertTrue(CaravanServer.find(context).isEmpty(), "a stopped context keeps no server");
        }
    }

    /**
     * Stopping the context closes what Caravan holds open, client and backend side alike: in a JVM that goes on
     * running, an idle keep-alive client must see the close and the backend must not keep a pooled connection from a
     * gateway that is gone. (Netty 4.2's event loop shutdown alone does not always close its sockets.)
     */
    @Test
    void stoppingTheContextClosesKeptAliveConnectionsOnBothSides() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CamelContext context = PlainJavaGateway.start(0, "http://127.0.0.1:" + backend.getLocalPort());
            int port = CaravanServer.find(context).orElseThrow().httpPort();
            try (RawHttp client = new RawHttp(port)) {
                client.send("GET /api/kept HTTP/1.1\r\nHost: app\r\n\r\n");
                try (Socket pooled = backend.accept()) {
                    pooled.setSoTimeout(10_000);
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(pooled.getInputStream(),
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        // the request head
                    }
                    pooled.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    assertEquals(200, client.read().status());
                    context.stop();
                    assertEquals(-1, in.read(), "the pooled backend connection was closed");
                    assertTrue(client.isClosedByServer(), "the idle client connection was closed");
                }
            }
        }
    }

    @Test
    void aRouteAddedToARunningContextStartsCaravanAtOnce() throws Exception {
        CaravanThreads threads = CaravanThreads.snapshot();
        try (TestBackend backend = TestBackend.start("late");
             DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().addInitialProperty("caravan.http.host", "127.0.0.1");
            context.getPropertiesComponent().addInitialProperty("caravan.http.port", "0");
            context.start();
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("caravan:http").routeId("late").to("caravan-forward:" + backend.url());
                }
            });
            int port = CaravanServer.find(context).orElseThrow().httpPort();
            assertEquals("late", get(port, "/x").echoed("backend"));
            context.stop();
            assertTrue(CaravanThreads.released(port));
        }
        threads.awaitAllEnded();
    }

    @Test
    void aPortInUseFailsTheStartNamingItAndStopReleasesEverything() throws Exception {
        CaravanThreads threads = CaravanThreads.snapshot();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().addInitialProperty("caravan.http.host", "127.0.0.1");
            context.getPropertiesComponent().addInitialProperty("caravan.http.port",
                    Integer.toString(taken.getLocalPort()));
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("caravan:http").to("caravan-forward:http://127.0.0.1:9");
                }
            });
            RuntimeException failure = assertThrows(RuntimeException.class, context::start);
            assertTrue(StartupException.describe(failure).equals("Listener 'http' cannot bind 127.0.0.1:"
                    + taken.getLocalPort() + ": address in use"), StartupException.describe(failure));
            context.stop();
        }
        threads.awaitAllEnded();
    }

    @Test
    void aRouteFolderAloneStartsCaravan() throws Exception {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        try (TestBackend backend = TestBackend.start("folder");
             DefaultCamelContext context = new DefaultCamelContext()) {
            Files.writeString(routes.resolve("api.yaml"), """
                    - route:
                        id: api
                        from:
                          uri: caravan:http
                          steps:
                            - to: "caravan-forward:%s"
                    """.formatted(backend.url()));
            context.getPropertiesComponent().addInitialProperty("caravan.http.host", "127.0.0.1");
            context.getPropertiesComponent().addInitialProperty("caravan.http.port", "0");
            context.getPropertiesComponent().addInitialProperty("caravan.routes.dir", routes.toString());
            context.getPropertiesComponent().addInitialProperty("caravan.routes.reload", "false");
            context.addRoutes(new RouteBuilder() { // the application's own, not a Caravan route
                @Override
                public void configure() {
                    from("direct:ping").routeId("ping").setBody(constant("pong"));
                }
            });
            context.start();
            CaravanServer server = CaravanServer.find(context).orElseThrow();
            assertEquals("folder", get(server.httpPort(), "/x").echoed("backend"));
            assertEquals("pong", context.createProducerTemplate().requestBody("direct:ping", "", String.class));
        }
    }
}
