package dev.caravan.forward;

import dev.caravan.testing.OriginBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A backend that stops while Caravan holds a kept-alive connection to it costs one 502, and the next request after it
 * comes back on the same port is served. Each round leaves a pooled connection behind, so the backend's going away
 * closes it under the pool. This used to hang 1 run in 5 (CacheTest's stale-if-error test too): under Netty 4.2 the
 * test backends' group shutdown left some accepted sockets open, a backend that takes requests and never answers.
 * They now close what they accepted, like a process that exits.
 */
class BackendGoneUnderPoolTest {

    @TempDir
    Path temp;

    @Test
    void eachRestartOfTheBackendCostsOne502AndNoHang() throws Exception {
        OriginBackend backend = OriginBackend.start();
        int port = backend.port();
        Path dir = Files.createDirectories(temp.resolve("routes"));
        Files.writeString(dir.resolve("gone.yaml"), """
                - route:
                    id: gone
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:%s?failureThreshold=1000"
                """.formatted(backend.url()));
        try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
            for (int round = 0; round < 25; round++) {
                assertEquals(200, get(gateway, "/up").status(), "round " + round);
                backend.close();
                assertEquals(502, get(gateway, "/down").status(), "round " + round);
                backend = OriginBackend.startOn(port);
            }
        } finally {
            backend.close();
        }
    }

    private static RawHttp.Response get(RunningGateway gateway, String path) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
        }
    }
}
