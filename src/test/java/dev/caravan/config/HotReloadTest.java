package dev.caravan.config;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Route files edited while clients keep sending: no request fails, good changes apply, bad ones are refused. */
class HotReloadTest {

    @TempDir
    Path temp;

    private static String version(int n) {
        return """
                - route:
                    id: versioned
                    from:
                      uri: caravan:http
                      parameters:
                        path: /app
                      steps:
                        - to: "caravan-forward:{{backend.url}}/v%d?stripPrefix=/app"
                """.formatted(n);
    }

    /** Four kinds of broken file, each with the line its error should name. */
    private static final List<String[]> BROKEN = List.of(
            new String[] {"- route:\n    id: versioned\n    from: [unclosed\n", "reload.yaml"},
            new String[] {"- route:\n    id: versioned\n    from:\n      uri: caravan:http\n      steps:\n        - forwardd: x\n",
                "reload.yaml:6"},
            new String[] {"- route:\n    id: versioned\n    from:\n      uri: caravan:http\n      steps:\n"
                    + "        - to: \"caravan-forward:{{backend.url}}?connectTimeot=5\"\n", "reload.yaml:6"},
            new String[] {"- route:\n    id: versioned\n    from:\n      uri: caravan:http\n      steps:\n"
                    + "        - process:\n            ref: noSuchBean\n", "noSuchBean"},
            new String[] {"- route:\n    id: versioned\n    from:\n      uri: caravan:nosuchlistener\n      steps:\n"
                    + "        - to: \"caravan-forward:{{backend.url}}\"\n", "nosuchlistener"});

    @Test
    void tenEditsUnderLoadLoseNoRequest() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Path file = dir.resolve("reload.yaml");
            Files.writeString(file, version(0));
            Files.writeString(dir.resolve("static.yaml"), """
                    - route:
                        id: static
                        from:
                          uri: caravan:http
                          parameters:
                            path: /static
                          steps:
                            - to: "caravan-forward:{{backend.url}}"
                    """);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()))) {
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger sent = new AtomicInteger();
                List<String> failures = new CopyOnWriteArrayList<>();
                Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
                ExecutorService clients = Executors.newFixedThreadPool(5);
                List<Future<?>> loops = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int client = c;
                    loops.add(clients.submit(() -> clientLoop(gateway, client, running, sent, failures, versionsSeen)));
                }
                loops.add(clients.submit(() -> rawConnectionLoop(gateway, running, sent, failures)));

                int generation = gateway.reloader().generation();
                int lastGood = 0;
                for (int edit = 1; edit <= 10; edit++) {
                    if (edit % 2 == 1) {
                        Files.writeString(file, version(edit));
                        int expected = generation + 1;
                        awaitTrue(() -> gateway.reloader().generation() == expected, "edit " + edit + " applied");
                        generation = expected;
                        String marker = "/v" + edit + "/";
                        awaitTrue(() -> versionsSeen.contains(marker), "clients see " + marker);
                        lastGood = edit;
                    } else {
                        String[] broken = BROKEN.get((edit / 2 - 1) % BROKEN.size());
                        Files.writeString(file, broken[0]);
                        awaitTrue(() -> gateway.reloader().lastError() != null, "edit " + edit + " rejected");
                        String error = gateway.reloader().lastError();
                        assertTrue(error.contains(broken[1]), "error should name " + broken[1] + ": " + error);
                        assertEquals(generation, gateway.reloader().generation(), "a rejected edit changed routes");
                        versionsSeen.clear();
                        String marker = "/v" + lastGood + "/";
                        awaitTrue(() -> versionsSeen.contains(marker), "old routes keep serving " + marker);
                    }
                }
                running.set(false);
                for (Future<?> loop : loops) {
                    loop.get();
                }
                clients.shutdown();
                assertEquals(List.of(), failures, "requests failed during reloads");
                assertTrue(sent.get() > 200, "only " + sent.get() + " requests were sent");
            }
        }
    }

    private static void clientLoop(RunningGateway gateway, int client, AtomicBoolean running, AtomicInteger sent,
                                   List<String> failures, Set<String> versionsSeen) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        int i = 0;
        while (running.get()) {
            String path = (i++ % 3 == 0) ? "/static/s" + client : "/app/c" + client;
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                sent.incrementAndGet();
                if (response.statusCode() != 200) {
                    failures.add(path + " -> " + response.statusCode());
                }
                String target = response.body().lines().filter(l -> l.startsWith("target ")).findFirst().orElse("");
                int v = target.indexOf("/v");
                if (path.startsWith("/app") && v > 0) {
                    versionsSeen.add(target.substring(v, target.indexOf('/', v + 1) + 1));
                }
            } catch (Exception e) {
                failures.add(path + " -> " + e);
            }
        }
    }

    /** A fresh TCP connection per request: a listener that unbound even briefly would refuse one. */
    private static void rawConnectionLoop(RunningGateway gateway, AtomicBoolean running, AtomicInteger sent,
                                          List<String> failures) {
        while (running.get()) {
            try (RawHttp raw = new RawHttp(gateway.port())) {
                int status = raw.exchange("GET /static/raw HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").status();
                sent.incrementAndGet();
                if (status != 200) {
                    failures.add("raw -> " + status);
                }
            } catch (Exception e) {
                failures.add("raw -> " + e);
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void changesApplyWithinTwoSecondsAndFilesCanBeAddedAndRemoved() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes2"));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url(),
                    "caravan.routes.reloadInterval", "500"))) {
                assertEquals(404, get(gateway, "/app/x"));
                long started = System.nanoTime();
                Files.writeString(dir.resolve("added.yaml"), version(1));
                awaitTrue(() -> get(gateway, "/app/x") == 200, "added file serves");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(millis < 2000, "took " + millis + " ms");
                Files.delete(dir.resolve("added.yaml"));
                awaitTrue(() -> get(gateway, "/app/x") == 404, "removed file stops serving");
            }
        }
    }

    @Test
    void aRequestInFlightFinishesOnTheRouteItStartedOn() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path dir = Files.createDirectories(temp.resolve("routes3"));
            Path file = dir.resolve("reload.yaml");
            Files.writeString(file, version(1));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("backend.url", backend.url()));
                 RawHttp slow = new RawHttp(gateway.port())) {
                slow.send("GET /app/slow/800 HTTP/1.1\r\nHost: t\r\n\r\n");
                Thread.sleep(200);
                Files.writeString(file, version(2));
                RawHttp.Response response = slow.read();
                assertEquals(200, response.status());
                assertEquals("slow 800\n", response.bodyText());
                assertEquals("/v1/slow/800", backend.requests().peekFirst().uri());
                awaitTrue(() -> gateway.reloader().generation() == 2, "second version applied");
            }
        }
    }

    private static int get(RunningGateway gateway, String target) {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            return raw.exchange("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n").status();
        } catch (Exception e) {
            return -1;
        }
    }
}
