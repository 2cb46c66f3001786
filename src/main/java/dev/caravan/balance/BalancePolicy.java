package dev.caravan.balance;

import java.util.List;

/** Picks the backend for one request among the available ones (a Caddy-style selection policy). */
public interface BalancePolicy {

    /**
     * @param candidates   the backends that may take this request (never empty)
     * @param affinityKey  what sticky policies hash (client address, header, cookie), or null
     */
    Backend choose(List<Backend> candidates, String affinityKey);
}
