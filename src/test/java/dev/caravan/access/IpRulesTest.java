package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caravan-ip (docs/examples/access-ip.yaml): first match wins, IPv4 and IPv6, the default for the rest, 403 without a
 * backend hit. The client address comes through a trusted X-Forwarded-For hop (the test client is on loopback).
 */
class IpRulesTest {

    @TempDir
    static Path temp;
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("internal");
        gateway = RunningGateway.startWithCopies(temp, Map.of("app.backend", backend.url(),
                "caravan.trustedProxies", "127.0.0.1"), Path.of("docs/examples/access-ip.yaml"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static RawHttp.Response from(String client, String target) throws Exception {
        return get(gateway, target, "X-Forwarded-For: " + client);
    }

    @Test
    void firstMatchingRuleDecidesAndDeniedRequestsNeverReachTheBackend() throws Exception {
        backend.requests().clear();
        Map<String, Integer> expected = new java.util.LinkedHashMap<>();
        expected.put("10.1.2.3", 200);          // allow 10.0.0.0/8
        expected.put("10.9.1.1", 403);          // deny 10.9.0.0/16 comes first
        expected.put("10.9.255.255", 403);
        expected.put("10.10.0.1", 200);
        expected.put("192.0.2.7", 403);         // no rule: the default
        expected.put("127.0.0.2", 403);
        expected.put("2001:db8:1::5", 200);     // allow 2001:db8:1::/48
        expected.put("2001:db8:1:ffff::1", 200);
        expected.put("2001:db8:2::1", 403);
        expected.put("::ffff:10.1.2.3", 200);   // IPv4-mapped: the IPv4 rules apply
        List<String> allowed = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, Integer> row : expected.entrySet()) {
            String target = "/internal/" + (n++);
            RawHttp.Response response = from(row.getKey(), target);
            assertEquals(row.getValue(), response.status(), row.getKey());
            if (row.getValue() == 200) {
                allowed.add(target);
            } else {
                assertTrue(response.bodyText().contains("403"), "the gateway's error page");
            }
        }
        from("10.1.2.3", "/internal/sentinel");
        allowed.add("/internal/sentinel");
        assertEquals(allowed, targets(backend), "only allowed requests, in order, before the sentinel");
    }

    @Test
    void theClientAddressIsTheTrustedOne() throws Exception {
        // the peer (loopback) is not in the rules: without the trusted hop's word the default denies
        assertEquals(403, get(gateway, "/internal/x").status());
        // a forged chain from an untrusted position: the right-most untrusted address decides
        assertEquals(403, from("10.1.2.3, 192.0.2.9", "/internal/x").status());
    }

    @Test
    void aBadRangeFailsTheRouteFileNamingTheOption(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                - route:
                    id: bad
                    from:
                      uri: caravan:http
                      steps:
                        - to:
                            uri: caravan-ip:bad
                            parameters:
                              rules: "allow 10.0.0.0/8, allow dead.beef"
                        - to: "caravan-forward:http://127.0.0.1:1"
                """);
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> RunningGateway.start(dir, Map.of()));
        assertTrue(failure.getMessage().contains("bad.yaml:6"), failure.getMessage());
        assertTrue(failure.getMessage().contains("rules: 'dead.beef' is not an IP address"), failure.getMessage());
    }
}
