package dev.caravan.limits;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static dev.caravan.limits.RateLimitStepTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named limits live with the Camel context: reloads keep their buckets, may change them, and refuse conflicts. */
class RateLimitReloadTest {

    @TempDir
    Path temp;

    private static String route(String id, String path, String limit, String backend) {
        return """
                - route:
                    id: %s
                    from:
                      uri: caravan:http?path=%s
                      steps:
                        - to: "%s"
                        - to: "caravan-forward:%s"
                """.formatted(id, path, limit, backend);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void reloadsKeepBucketsMayChangeALimitAndRefuseAConflictingOne() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path a = dir.resolve("a.yaml");
            Files.writeString(a, route("alpha", "/a", "caravan-rate-limit:api?rate=1/h&key=header:X-User",
                    backend.url()));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                assertEquals(200, get(gateway, "/a", "X-User: u").status());
                assertEquals(429, get(gateway, "/a", "X-User: u").status());

                // an edit elsewhere in the file: the limit's settings are the same, so its buckets stay
                Files.writeString(a, route("alpha", "/a", "caravan-rate-limit:api?rate=1/h&key=header:X-User",
                        backend.url()) + route("alpha-extra", "/a2", "caravan-headers:response?set=X-Second: yes",
                        backend.url()));
                await(() -> gateway.reloader().generation() == 2, "the edit is live");
                assertEquals(200, get(gateway, "/a2").status());
                assertEquals(429, get(gateway, "/a", "X-User: u").status(), "a reload is no fresh allowance");

                // another file naming the same limit with another rate is refused, naming file, line and limit
                Path b = dir.resolve("b.yaml");
                Files.writeString(b, route("beta", "/b", "caravan-rate-limit:api?rate=2/h&key=header:X-User",
                        backend.url()));
                await(() -> gateway.reloader().lastError() != null, "the conflicting file is rejected");
                String error = gateway.reloader().lastError();
                assertTrue(error.contains("b.yaml:6"), error);
                assertTrue(error.contains("'api'") && error.contains("rate=1/h") && error.contains("rate=2/h"), error);
                assertEquals(2, gateway.reloader().generation());
                assertEquals(429, get(gateway, "/a", "X-User: u").status(), "the old routes keep serving");

                // with the other file gone, a change of the limit's own rate is taken, with new buckets
                Files.delete(b);
                Files.writeString(a, route("alpha", "/a", "caravan-rate-limit:api?rate=2/h&key=header:X-User",
                        backend.url()));
                await(() -> gateway.reloader().generation() == 3, "the new rate is live");
                assertEquals(200, get(gateway, "/a", "X-User: u").status());
                assertEquals(200, get(gateway, "/a", "X-User: u").status());
                assertEquals(429, get(gateway, "/a", "X-User: u").status());
                RateLimiter limiter = gateway.context().getComponent("caravan-rate-limit", RateLimitComponent.class)
                        .limits().get("api");
                assertEquals(2, limiter.policy().rate());
            }
        }
    }

    @Test
    void conflictingDeclarationsStopTheStartWithFileLineAndLimit() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("conflict"));
        Files.writeString(dir.resolve("one.yaml"), route("first-login", "/one",
                "caravan-rate-limit:login?rate=5/m", "http://127.0.0.1:1"));
        Files.writeString(dir.resolve("two.yaml"), route("second-login", "/two",
                "caravan-rate-limit:login?rate=5/m&burst=50", "http://127.0.0.1:1"));
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> RunningGateway.start(dir, Map.of()));
        assertTrue(failure.getMessage().contains("two.yaml:6"), failure.getMessage());
        assertTrue(failure.getMessage().contains("'login'"), failure.getMessage());
        assertTrue(failure.getMessage().contains("burst=50"), failure.getMessage());
    }

    @Test
    void badOptionsFailNamingTheOption() throws Exception {
        for (String[] bad : new String[][]{
                {"caravan-rate-limit:x?rate=fast", "rate must"},
                {"caravan-rate-limit:x?rate=5/s&key=ip", "key must"},
                {"caravan-rate-limit:x?rate=5/s&headers=v2", "headers must"},
                {"caravan-rate-limit:x?rate=5/s&missingKey=deny", "missingKey must"},
                {"caravan-rate-limit:x?rate=5/s&maxKeys=0", "maxKeys must"},
                {"caravan-rate-limit:x", "rate is required"},
                {"caravan-rate-limit:a b?rate=5/s", "name"},
        }) {
            Path dir = Files.createDirectories(temp.resolve("bad" + bad[1].hashCode()));
            Files.writeString(dir.resolve("bad.yaml"), route("badly-configured", "/bad", bad[0], "http://127.0.0.1:1"));
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> RunningGateway.start(dir, Map.of()), bad[0]);
            assertTrue(failure.getMessage().contains("bad.yaml:6") && failure.getMessage().contains(bad[1]),
                    bad[0] + " -> " + failure.getMessage());
        }
    }
}
