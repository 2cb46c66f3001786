package dev.caravan.server;

import dev.caravan.http.HeaderMapFactory;
import dev.caravan.testing.CaravanThreads;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Caravan's components in plain camel-main ({@code org.apache.camel.main.Main}, not Caravan's own main): the host's
 * properties file and YAML route start Caravan's listener, requests reach a real backend, and stopping camel-main
 * releases the port and every Caravan thread.
 */
class CamelMainEmbeddingTest {

    @TempDir
    Path temp;

    /** A loopback port nothing listens on (privileged ports like 1 are not safe: root may bind them). */
    private static int closedPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    @Test
    void theHostsYamlRouteProxiesAndStopsCleanly() throws Exception {
        Path extra = Files.writeString(temp.resolve("more.yaml"), """
                - route:
                    id: dead
                    from:
                      uri: caravan:http?path=/dead
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:%d"
                - templatedRoute:
                    routeTemplateRef: caravan-proxy
                    routeId: templated
                    parameters:
                      - name: path
                        value: /templated
                      - name: backends
                        value: "{{orders.backend}}"
                """.formatted(closedPort()));
        CaravanThreads threads = CaravanThreads.snapshot();
        try (TestBackend backend = TestBackend.start("orders")) {
            Main main = new Main();
            // the documented properties file as the application's own, with this machine's ports
            main.setPropertyPlaceholderLocations("file:" + Path.of("docs/examples/camel-main.properties"));
            main.addOverrideProperty("camel.main.routesIncludePattern",
                    "file:" + Path.of("docs/examples/embedded-gateway.yaml") + ",file:" + extra);
            // the README's way to have the caravan-proxy template in a camel-main application
            main.addOverrideProperty("camel.main.routesBuilderClasses", "dev.caravan.config.ProxyRouteTemplate");
            main.addOverrideProperty("caravan.http.host", "127.0.0.1");
            main.addOverrideProperty("caravan.http.port", "0");
            main.addOverrideProperty("orders.backend", backend.url());
            main.start();
            int port;
            try {
                CamelContext context = main.getCamelContext();
                CaravanServer server = CaravanServer.find(context).orElseThrow();
                port = server.httpPort();
                assertTrue(server.listeners().all().stream().noneMatch(l -> l.name().equals("https")),
                        "embedded: no https listener unless asked for");
                assertFalse(context.getCamelContextExtension().getHeadersMapFactory() instanceof HeaderMapFactory,
                        "the host's context keeps Camel's own header map");
                assertTrue(context.isStreamCaching(), "camel-main's default, left as it is");
                assertEquals(-1, server.observability().adminPort(), "no admin port unless asked for");
                assertFalse(org.apache.camel.support.PluginHelper.getUnitOfWorkFactory(context).getClass().getName()
                        .startsWith("dev.caravan"), "the host's routes keep Camel's unit of work");

                try (RawHttp http = new RawHttp(port)) {
                    RawHttp.Response get = http.exchange("GET /orders/7?x=1 HTTP/1.1\r\nHost: shop\r\n\r\n");
                    assertEquals(200, get.status());
                    assertEquals("orders", get.echoed("backend"));
                    assertEquals("/orders/7?x=1", get.echoed("target"));
                    // a streamed body on the same kept-alive connection, with camel-main's stream caching on
                    RawHttp.Response post = http.exchange("POST /orders HTTP/1.1\r\nHost: shop\r\n"
                            + "Content-Length: 5\r\n\r\nhello");
                    assertEquals("5", post.echoed("body-bytes"));
                    RawHttp.Response dead = http.exchange("GET /dead HTTP/1.1\r\nHost: shop\r\n\r\n");
                    assertEquals(502, dead.status(), "a failure gets the gateway's page under Camel's error handler");
                    assertFalse(dead.bodyText().contains("127.0.0.1"), dead.bodyText());
                    assertEquals("/templated/x", http.exchange("GET /templated/x HTTP/1.1\r\nHost: shop\r\n\r\n")
                            .echoed("target"));
                }
                try (RawHttp http = new RawHttp(port)) {
                    assertEquals(404, http.exchange("GET /none HTTP/1.1\r\nHost: x\r\n\r\n").status());
                }
            } finally {
                main.stop();
            }
            assertTrue(main.getCamelContext() == null || main.getCamelContext().isStopped());
            assertTrue(CaravanThreads.released(port), "port " + port + " still accepts");
            threads.awaitAllEnded();
        }
    }
}
