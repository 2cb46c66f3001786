package dev.caravan.config;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code caravan-proxy} template's {@code poolIdleTimeout}: how long a kept backend connection may idle before the
 * pool closes it (its default of 4 s suits most backends; a backend known to keep connections longer, as nginx's
 * upstream {@code keepalive_timeout} assumes, can keep them longer).
 */
class ProxyRouteTemplateTest {

    @TempDir
    Path temp;

    @Test
    void aShortPoolIdleTimeoutClosesTheKeptConnectionAndTheDefaultKeepsIt() throws Exception {
        try (TestBackend shortIdle = TestBackend.start("short");
             TestBackend defaultIdle = TestBackend.start("default")) {
            Path routes = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(routes.resolve("proxy.yaml"), """
                    - templatedRoute:
                        routeTemplateRef: caravan-proxy
                        routeId: short-idle
                        parameters:
                          - name: path
                            value: /short
                          - name: backends
                            value: "{{short.url}}"
                          - name: poolIdleTimeout
                            value: "200"
                    - templatedRoute:
                        routeTemplateRef: caravan-proxy
                        routeId: default-idle
                        parameters:
                          - name: path
                            value: /default
                          - name: backends
                            value: "{{default.url}}"
                    """);
            try (RunningGateway gateway = RunningGateway.start(routes,
                    Map.of("short.url", shortIdle.url(), "default.url", defaultIdle.url()))) {
                assertEquals(200, gateway.get("/short/a").status());
                assertEquals(200, gateway.get("/default/a").status());
                // the pool sweeps idle connections once a second: after 2.5 s the 200 ms one is gone, the 4 s one kept
                Thread.sleep(2_500);
                assertEquals(200, gateway.get("/short/b").status());
                assertEquals(200, gateway.get("/default/b").status());
                assertEquals(2, shortIdle.connections(), "a new connection after the kept one idled out");
                assertEquals(1, defaultIdle.connections(), "the kept connection reused");
            }
        }
    }
}
