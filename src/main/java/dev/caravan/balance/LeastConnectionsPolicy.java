package dev.caravan.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The backend with the fewest requests in flight; ties are broken round-robin so idle pools still spread work. */
public final class LeastConnectionsPolicy implements BalancePolicy {

    private final AtomicInteger rotation = new AtomicInteger();

    @Override
    public Backend choose(List<Backend> candidates, String affinityKey) {
        int size = candidates.size();
        int start = Math.floorMod(rotation.getAndIncrement(), size);
        Backend best = null;
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            Backend backend = candidates.get((start + i) % size);
            int inflight = backend.inflight();
            if (inflight < fewest) {
                fewest = inflight;
                best = backend;
            }
        }
        return best;
    }
}
