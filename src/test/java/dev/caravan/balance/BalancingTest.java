package dev.caravan.balance;

import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Balancing policies and failover through a real gateway in front of real backends (docs/examples/load-balancing.yaml). */
class BalancingTest {

    @TempDir
    static Path temp;
    private static final List<TestBackend> pool = new ArrayList<>();
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            pool.add(TestBackend.start(name));
        }
        gateway = RunningGateway.startWithCopies(temp, Map.of(
                "pool.a", pool.get(0).url(), "pool.b", pool.get(1).url(), "pool.c", pool.get(2).url(),
                "failover.ejectTime", "500", "failover.responseTimeout", "1000"),
                Path.of("docs/examples/load-balancing.yaml"), Path.of("docs/examples/load-balance-eip.yaml"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        pool.forEach(TestBackend::close);
    }

    private static RawHttp.Response send(String method, String target, String... headers) throws IOException {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: lb.test\r\nContent-Length: 0\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    @Test
    void weightedSpreadsFiveToOneToOne() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 70; i++) {
            counts.merge(send("GET", "/weighted/x").echoed("backend"), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 50, "b", 10, "c", 10), counts);
    }

    /** Waits until {@code n} requests for a slow path have arrived at the backends since the test started. */
    private void awaitSlowRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (slowArrived() - slowBefore < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(slowArrived() - slowBefore >= n, "slow request " + n + " never reached a backend");
    }

    private long slowBefore;

    private static long slowArrived() {
        return pool.stream().flatMap(b -> b.requests().stream()).filter(r -> r.uri().startsWith("/slow/")).count();
    }

    @org.junit.jupiter.api.BeforeEach
    void countSlowRequests() {
        slowBefore = slowArrived();
    }

    @Test
    void leastConnectionsSendsNewWorkAwayFromBusyBackends() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        // backend state is shared by every route naming a backend, so an earlier test may have ejected one of the
        // pool: keep all but one available backend busy, and the quick requests must all find that one
        int available = (int) pool.stream().filter(b -> backendsView().contains(
                "\"origin\":\"" + b.url() + "\",\"up\":true")).count();
        assertTrue(available >= 2, "at least two backends up: " + backendsView());
        try {
            for (int i = 0; i < available - 1; i++) {
                RawHttp http = new RawHttp(gateway.port());
                http.send("GET /least/slow/5000 HTTP/1.1\r\nHost: lb.test\r\n\r\n");
                slow.add(http);
                awaitSlowRequests(i + 1); // it reached a backend, so it counts as in flight there
            }
            Set<String> quick = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                quick.add(send("GET", "/least/quick").echoed("backend"));
            }
            assertEquals(1, quick.size(), "quick requests should all go to the one idle backend: " + quick
                    + " " + backendsView());
            String idle = quick.iterator().next();
            TestBackend idleBackend = pool.stream().filter(b -> b.url().equals(urlOf(idle))).findFirst().orElseThrow();
            assertTrue(idleBackend.requests().stream().noneMatch(r -> r.uri().equals("/slow/5000")),
                    "the idle backend had a slow request");
            for (RawHttp http : slow) {
                assertEquals(200, http.read().status());
            }
        } finally {
            for (RawHttp http : slow) {
                http.close();
            }
        }
    }

    private static String backendsView() {
        return gateway.context().getRegistry().findSingleByType(Backends.class).json();
    }

    private static String urlOf(String name) {
        return pool.get(List.of("a", "b", "c").indexOf(name)).url();
    }

    @Test
    void leastConnectionsBeanWorksInTheLoadBalanceEip() throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawHttp http = new RawHttp(gateway.port());
                http.send("GET /eip/slow/5000 HTTP/1.1\r\nHost: lb.test\r\n\r\n");
                slow.add(http);
                awaitSlowRequests(i + 1); // it reached a backend, so it counts as in flight there
            }
            Set<String> quick = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                quick.add(send("GET", "/eip/quick").echoed("backend"));
            }
            assertEquals(1, quick.size(), "quick requests should all go to the one idle child: " + quick);
            for (RawHttp http : slow) {
                assertEquals(200, http.read().status());
            }
        } finally {
            for (RawHttp http : slow) {
                http.close();
            }
        }
    }

    @Test
    void stickyCookiePinsAClientToTheBackendThatFirstAnswered() throws Exception {
        RawHttp.Response first = send("GET", "/shop/cart");
        String setCookie = first.header("Set-Cookie");
        assertNotNull(setCookie, "no affinity cookie set");
        assertTrue(setCookie.startsWith("CARAVAN_BACKEND=") && setCookie.contains("HttpOnly"), setCookie);
        assertTrue(!setCookie.contains("127.0.0.1"), "the cookie names the backend's address: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        for (int i = 0; i < 6; i++) {
            RawHttp.Response again = send("GET", "/shop/cart", "Cookie: theme=dark; " + cookie);
            assertEquals(first.echoed("backend"), again.echoed("backend"));
            assertEquals(null, again.header("Set-Cookie"), "the cookie is set again although it is right");
        }
    }

    @Test
    void hashByASimpleExpressionKeepsEachTenantOnOneBackend() throws Exception {
        Set<String> used = new HashSet<>();
        for (int tenant = 0; tenant < 12; tenant++) {
            String first = send("GET", "/tenant/t" + tenant + "/a").echoed("backend");
            assertEquals(first, send("POST", "/tenant/t" + tenant + "/b?x").echoed("backend"));
            used.add(first);
        }
        assertTrue(used.size() >= 2, "12 tenants all hashed to " + used);
    }

    @Test
    void hashKeepsEachUserOnOneBackend() throws Exception {
        Set<String> used = new HashSet<>();
        for (int user = 0; user < 20; user++) {
            String first = send("GET", "/sticky/x", "X-User: user-" + user).echoed("backend");
            for (int again = 0; again < 3; again++) {
                assertEquals(first, send("GET", "/sticky/x", "X-User: user-" + user).echoed("backend"));
            }
            used.add(first);
        }
        assertTrue(used.size() >= 2, "20 users all hashed to " + used);
    }

    @Test
    void aStoppedBackendCostsNoRequestAndIsUsedAgainWhenBack() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                URI.create(gateway.url() + "/failover/x")).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        sent.incrementAndGet();
                        if (r.statusCode() != 200) {
                            failures.add("status " + r.statusCode());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        Thread.sleep(700);
        TestBackend b = pool.get(1);
        int port = b.port();
        b.close();
        long stoppedAt = System.nanoTime();
        Thread.sleep(1500);
        int sentWhileDown = sent.get();
        TestBackend revived = TestBackend.startOn("b", port);
        pool.set(1, revived);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (revived.requests().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long backAfterMs = (System.nanoTime() - stoppedAt) / 1_000_000 - 1500;
        running.set(false);
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get();
        System.out.printf("failover: %d requests, %d failed, %d sent before b restarted, b back in traffic %d ms after restart%n",
                sent.get(), failures.size(), sentWhileDown, backAfterMs);
        assertEquals(List.of(), failures);
        assertTrue(sent.get() > 100, "only " + sent.get() + " requests");
        assertTrue(!revived.requests().isEmpty(), "the restarted backend never got traffic again");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"answers-503", "hangs"})
    void aBrokenBackendCostsNoGetUnderLoad(String mode) throws Exception {
        try (BrokenBackend bad = mode.equals("hangs") ? BrokenBackend.silent() : BrokenBackend.answering(503);
             TestBackend ok1 = TestBackend.start("ok1"); TestBackend ok2 = TestBackend.start("ok2")) {
            int badPort = bad.port();
            Path routes = Files.createDirectories(temp.resolve("broken-" + mode));
            Files.writeString(routes.resolve("pool.yaml"), """
                    - route:
                        id: pool
                        from:
                          uri: caravan:http
                          steps:
                            - to: "caravan-forward:%s,%s,http://127.0.0.1:%d?responseTimeout=500&failureThreshold=2&ejectTime=5000"
                    """.formatted(ok1.url(), ok2.url(), badPort));
            try (RunningGateway own = RunningGateway.start(routes, Map.of())) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                AtomicInteger sent = new AtomicInteger();
                List<String> failures = new CopyOnWriteArrayList<>();
                long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                List<CompletableFuture<Void>> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    clients.add(CompletableFuture.runAsync(() -> {
                        while (System.nanoTime() < end) {
                            try {
                                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(own.url() + "/x"))
                                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                                sent.incrementAndGet();
                                if (r.statusCode() != 200) {
                                    failures.add("status " + r.statusCode());
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                    }));
                }
                CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get();
                System.out.printf("broken backend (%s): %d GETs, %d failed%n", mode, sent.get(), failures.size());
                assertEquals(List.of(), failures);
                assertTrue(sent.get() > 50, "only " + sent.get() + " requests");
            }
        }
    }

    @Test
    void onlyIdempotentRequestsAreRetriedAfterTheyWereSent() throws Exception {
        try (BrokenBackend hang = BrokenBackend.silent(); TestBackend ok = TestBackend.start("ok")) {
            Path routes = Files.createDirectories(temp.resolve("hang-routes"));
            Files.writeString(routes.resolve("hang.yaml"), """
                    - route:
                        id: hang
                        from:
                          uri: caravan:http
                          steps:
                            - to: "caravan-forward:http://127.0.0.1:%d,%s?responseTimeout=800"
                    - route:
                        id: marked
                        from:
                          uri: caravan:http?path=/marked
                          steps:
                            - setHeader:
                                name: CaravanIdempotent
                                constant: true
                            - to: "caravan-forward:http://127.0.0.1:%d,%s?responseTimeout=800"
                    """.formatted(hang.port(), ok.url(), hang.port(), ok.url()));
            try (RunningGateway own = RunningGateway.start(routes, Map.of())) {
                try (RawHttp http = new RawHttp(own.port())) {
                    RawHttp.Response post = http.exchange(
                            "POST /order HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
                    assertEquals(504, post.status(), "the POST went to the hanging backend first");
                }
                assertTrue(ok.requests().stream().noneMatch(r -> r.method().name().equals("POST")),
                        "a POST that reached one backend was replayed to another");
                assertEquals("ok", send(own, "GET /first").echoed("backend"));
                RawHttp.Response retried = send(own, "GET /second");
                assertEquals(200, retried.status(), "a GET that timed out should be retried on the other backend");
                assertEquals("ok", retried.echoed("backend"));
                try (RawHttp http = new RawHttp(own.port())) {
                    RawHttp.Response marked = http.exchange(
                            "POST /marked/ping HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
                    assertEquals(200, marked.status(), "a bodiless POST the route marked idempotent is retried");
                }
            }
        }
    }

    private static RawHttp.Response send(RunningGateway own, String requestLine) throws IOException {
        try (RawHttp http = new RawHttp(own.port())) {
            return http.exchange(requestLine + " HTTP/1.1\r\nHost: t\r\n\r\n");
        }
    }

    @Test
    void allBackendsDownGives503WithRetryAfterAtOnce() throws Exception {
        // privileged ports nobody listens on here: refused at once, and never handed out as ephemeral ports
        int dead1 = 1;
        int dead2 = 2;
        Path routes = Files.createDirectories(temp.resolve("down-routes"));
        Files.writeString(routes.resolve("down.yaml"), """
                - route:
                    id: down
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:%d,http://127.0.0.1:%d"
                """.formatted(dead1, dead2));
        try (RunningGateway own = RunningGateway.start(routes, Map.of())) {
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                RawHttp.Response response = send(own, "GET /x");
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(503, response.status());
                assertNotNull(response.header("Retry-After"));
                assertTrue(millis < 1000, "503 took " + millis + " ms");
            }
        }
    }

    @Test
    void aBackendAnswering503IsSkippedForGets() throws Exception {
        try (TestBackend ok = TestBackend.start("ok"); BrokenBackend broken = BrokenBackend.answering(503)) {
            Path routes = Files.createDirectories(temp.resolve("503-routes"));
            Files.writeString(routes.resolve("broken.yaml"), """
                    - route:
                        id: broken
                        from:
                          uri: caravan:http
                          steps:
                            - to: "caravan-forward:http://127.0.0.1:%d,%s?failureThreshold=100"
                    """.formatted(broken.port(), ok.url()));
            try (RunningGateway own = RunningGateway.start(routes, Map.of())) {
                for (int i = 0; i < 10; i++) {
                    assertEquals(200, send(own, "GET /x" + i).status());
                }
                boolean sawPost503 = false;
                for (int i = 0; i < 2; i++) {
                    try (RawHttp http = new RawHttp(own.port())) {
                        int status = http.exchange("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx").status();
                        sawPost503 |= status == 503;
                    }
                }
                assertTrue(sawPost503, "a POST answered 503 must be passed through, not replayed");
            }
        }
    }
}
