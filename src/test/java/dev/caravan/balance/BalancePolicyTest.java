package dev.caravan.balance;

import dev.caravan.forward.BackendTarget;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The selection policies on their own: distribution, tie-breaking, and how few keys move when a backend goes. */
class BalancePolicyTest {

    private final Backends registry = new Backends();

    private List<Backend> backends(int n) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(registry.backend(BackendTarget.parse("http://10.0.0." + (i + 1) + ":8080")));
        }
        return list;
    }

    @Test
    void weightedInterleavesInsteadOfBursting() {
        List<Backend> three = backends(3);
        WeightedPolicy policy = new WeightedPolicy(Map.of(three.get(0), 5, three.get(1), 1, three.get(2), 1));
        StringBuilder picks = new StringBuilder();
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < 700; i++) {
            Backend chosen = policy.choose(three, null);
            counts.merge(chosen, 1, Integer::sum);
            picks.append((char) ('a' + three.indexOf(chosen)));
        }
        assertEquals(500, counts.get(three.get(0)));
        assertEquals(100, counts.get(three.get(1)));
        assertEquals(100, counts.get(three.get(2)));
        assertEquals("aabacaa", picks.substring(0, 7), "nginx's smooth order");
        assertTrue(!picks.toString().contains("aaaaa"), "five in a row is a burst");
    }

    @Test
    void leastConnectionsAvoidsBusyBackendsAndRotatesTies() {
        List<Backend> three = backends(3);
        LeastConnectionsPolicy policy = new LeastConnectionsPolicy();
        three.get(0).started();
        three.get(0).started();
        three.get(2).started();
        assertSame(three.get(1), policy.choose(three, null));
        three.get(0).finished();
        three.get(0).finished();
        three.get(2).finished();
        List<Backend> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seen.add(policy.choose(three, null));
        }
        assertEquals(3, seen.stream().distinct().count(), "idle backends should take turns: " + seen);
    }

    @Test
    void consistentHashMovesOnlyTheKeysOfARemovedBackend() {
        List<Backend> four = backends(4);
        ConsistentHashPolicy policy = new ConsistentHashPolicy(four);
        int keys = 20_000;
        Map<String, Backend> before = new HashMap<>();
        Map<Backend, Integer> load = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            Backend b = policy.choose(four, "client-" + k);
            before.put("client-" + k, b);
            load.merge(b, 1, Integer::sum);
        }
        for (Backend b : four) {
            assertTrue(load.get(b) > keys / 4 * 0.7, "uneven ring: " + load);
        }
        List<Backend> three = four.subList(0, 3);
        int kept = 0;
        for (int k = 0; k < keys; k++) {
            Backend after = policy.choose(three, "client-" + k);
            if (after == before.get("client-" + k)) {
                kept++;
            } else {
                assertSame(four.get(3), before.get("client-" + k), "a key moved although its backend stayed");
            }
        }
        assertTrue(kept >= keys * (1 - 1.0 / 4 - 0.05), "kept only " + kept + " of " + keys);
    }

    @Test
    void slowStartGivesABackendThatCameBackASmallShareFirst() {
        List<Backend> two = backends(2);
        Upstream upstream = new Upstream(two, new RoundRobinPolicy(), new UpstreamSettings(2, 1, 1, 50, 0.2, 60_000));
        two.get(1).probeVerdict("check", false);
        two.get(1).probeVerdict("check", true); // just came back
        int toReturning = 0;
        for (int i = 0; i < 1000; i++) {
            if (upstream.choose(null, java.util.Set.of()) == two.get(1)) {
                toReturning++;
            }
        }
        assertTrue(toReturning > 10 && toReturning < 150, "a backend back for 0 s got " + toReturning + " of 1000");
    }

    @Test
    void roundRobinTakesTurns() {
        List<Backend> two = backends(2);
        RoundRobinPolicy policy = new RoundRobinPolicy();
        assertEquals(List.of(two.get(0), two.get(1), two.get(0)),
                List.of(policy.choose(two, null), policy.choose(two, null), policy.choose(two, null)));
    }

    @Test
    void failuresEjectWithGrowingCoolDownButNeverMoreThanTheAllowedShare() {
        List<Backend> two = backends(2);
        Upstream upstream = new Upstream(two, new RoundRobinPolicy(), new UpstreamSettings(2, 3, 1000, 50, 0.2, 0));
        for (int i = 0; i < 3; i++) {
            upstream.failed(two.get(0));
        }
        long now = System.nanoTime();
        assertTrue(two.get(0).isEjected(now));
        for (int i = 0; i < 3; i++) {
            upstream.failed(two.get(1));
        }
        assertTrue(!two.get(1).isEjected(System.nanoTime()), "ejected more than half of the pool");
        assertSame(two.get(1), upstream.choose(null, java.util.Set.of()));
    }
}
