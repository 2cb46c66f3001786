package dev.caravan.server;

import com.example.gateway.GatewayApplication;
import dev.caravan.http.HeaderMapFactory;
import dev.caravan.testing.CaravanThreads;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Spring Boot example as it is ({@code docs/examples/java/com/example/gateway}, its properties from
 * {@code docs/examples/spring-boot.properties}): Camel Spring Boot collects the {@code RouteBuilder} bean, its
 * {@code caravan:} endpoint starts Caravan from Spring's properties, a request reaches a real backend, and closing the
 * application releases the port and every Caravan thread.
 */
// declared first, so its after-all check runs last: after Spring has closed the application (@DirtiesContext)
@ExtendWith(SpringBootEmbeddingTest.ClosedCleanly.class)
@CamelSpringBootTest
@SpringBootTest(classes = GatewayApplication.class, properties = {
        // the example's file is the application's configuration (instead of ./application.properties, Caravan's own)
        "spring.config.location=file:docs/examples/spring-boot.properties",
        "caravan.http.host=127.0.0.1", "caravan.http.port=0", "spring.main.banner-mode=off"})
@DirtiesContext
class SpringBootEmbeddingTest {

    private static TestBackend backend;
    private static CaravanThreads threads;
    private static CamelContext closedCamel;
    private static int closedPort;

    @Autowired
    private CamelContext camel;
    @Autowired
    private org.springframework.core.env.ConfigurableEnvironment environment;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry registry) throws Exception {
        threads = CaravanThreads.snapshot(); // before Spring starts the context
        backend = TestBackend.start("spring");
        registry.add("backend.url", backend::url);
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    /** Once Spring has closed the application: Camel stopped, the port free, no Caravan thread left. */
    static final class ClosedCleanly implements AfterAllCallback {
        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            assertTrue(closedCamel.isStopped(), "Spring has not stopped the Camel context");
            assertTrue(CaravanThreads.released(closedPort), "port " + closedPort + " still accepts");
            threads.awaitAllEnded();
        }
    }

    @Test
    void theExampleProxiesToTheBackend() throws Exception {
        CaravanServer server = CaravanServer.find(camel).orElseThrow();
        int port = server.httpPort();
        closedCamel = camel;
        closedPort = port;
        assertFalse(camel.getCamelContextExtension().getHeadersMapFactory() instanceof HeaderMapFactory,
                "the application's context keeps Camel's own header map");
        assertTrue(environment.getPropertySources().stream()
                .anyMatch(source -> source.getName().contains("docs/examples/spring-boot.properties")),
                "the example's properties file is the application's configuration");
        assertTrue(server.routesDir() == null && server.listeners().all().size() == 1,
                "only the http listener and no route folder unless the application's properties ask for them");
        try (RawHttp http = new RawHttp(port)) {
            RawHttp.Response response = http.exchange("GET /api/users?id=7 HTTP/1.1\r\nHost: app\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("spring", response.echoed("backend"));
            assertEquals("/users?id=7", response.echoed("target"));
            RawHttp.Response post = http.exchange("PUT /api/users/7 HTTP/1.1\r\nHost: app\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("3", post.echoed("body-bytes"));
        }
    }
}
