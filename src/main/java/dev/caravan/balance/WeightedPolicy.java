package dev.caravan.balance;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin (nginx's algorithm): weights 5:1:1 give a a b a c a a, spreading the light backends
 * between the heavy one's turns instead of sending it five in a row.
 */
public final class WeightedPolicy implements BalancePolicy {

    private final Map<Backend, Integer> weights;
    private final Map<Backend, Integer> current = new IdentityHashMap<>();

    public WeightedPolicy(Map<Backend, Integer> weights) {
        this.weights = new IdentityHashMap<>(weights);
    }

    @Override
    public synchronized Backend choose(List<Backend> candidates, String affinityKey) {
        int total = 0;
        Backend best = null;
        int bestWeight = Integer.MIN_VALUE;
        for (Backend backend : candidates) {
            int weight = weights.getOrDefault(backend, 1);
            int value = current.merge(backend, weight, Integer::sum);
            total += weight;
            if (value > bestWeight) {
                bestWeight = value;
                best = backend;
            }
        }
        current.merge(best, -total, Integer::sum);
        return best;
    }
}
