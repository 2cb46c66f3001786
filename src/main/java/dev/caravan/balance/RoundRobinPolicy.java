package dev.caravan.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each backend in turn. */
public final class RoundRobinPolicy implements BalancePolicy {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Backend choose(List<Backend> candidates, String affinityKey) {
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
}
