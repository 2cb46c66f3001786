package dev.caravan.forward;

import dev.caravan.balance.Backends;
import dev.caravan.testing.BrokenBackend;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 502/503/504 is dropped for a retry only when the retry is certain: the decision (and its budget token) is taken
 * when the status arrives. Before, it was decided when the attempt started, so two requests could both drop their
 * backend's answer for one remaining token, and the loser got the gateway's own error page instead.
 */
class RetryDecisionTest {

    @TempDir
    Path temp;

    @Test
    void aDroppedAnswerIsAlwaysReplacedByARetry() throws Exception {
        try (BrokenBackend busy = BrokenBackend.answering(503, 300, "busy backend says no\n");
             TestBackend fine = TestBackend.start("fine")) {
            Path dir = Files.createDirectories(temp.resolve("routes"));
            Files.writeString(dir.resolve("race.yaml"), """
                    - route:
                        id: race
                        from:
                          uri: caravan:http
                          steps:
                            - to: "caravan-forward:%s,%s?stickyCookie=srv&retryBudget=0&maxAttempts=2&failureThreshold=1000"
                    """.formatted(busy.url(), fine.url()));
            String pinnedToBusy = "srv=" + new Backends().backend(BackendTarget.parse(busy.url())).id();
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                // spend 9 of the 10 starting tokens: each request is answered 503 by the busy one, retried on the fine one
                for (int i = 0; i < 9; i++) {
                    assertEquals(200, get(gateway, pinnedToBusy).status());
                }
                // two at once, one token left: one is retried, the other must get the backend's own answer
                ExecutorService pool = Executors.newFixedThreadPool(2);
                List<Future<RawHttp.Response>> both = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    both.add(pool.submit(() -> get(gateway, pinnedToBusy)));
                }
                List<String> answers = new ArrayList<>();
                for (Future<RawHttp.Response> f : both) {
                    RawHttp.Response response = f.get();
                    answers.add(response.status() + " " + response.bodyText().trim());
                }
                pool.shutdown();
                assertTrue(answers.stream().anyMatch(a -> a.startsWith("200")), answers.toString());
                assertTrue(answers.contains("503 busy backend says no"),
                        "the request that could not be retried got the backend's answer, not the gateway's page: "
                                + answers);
            }
        }
    }

    private static RawHttp.Response get(RunningGateway gateway, String cookie) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange("GET /x HTTP/1.1\r\nHost: t\r\nCookie: " + cookie + "\r\n\r\n");
        }
    }
}
