package dev.caravan.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A backend at random. */
public final class RandomPolicy implements BalancePolicy {

    @Override
    public Backend choose(List<Backend> candidates, String affinityKey) {
        return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
    }
}
