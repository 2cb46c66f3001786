package dev.caravan.balance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Sticky by key on a hash ring (160 points per backend): the same key keeps its backend, and removing one of N
 * backends moves only the keys it held (about 1/N). A key whose backend is unavailable goes to the next one on the
 * ring. A request without a key is hashed as the empty key.
 */
public final class ConsistentHashPolicy implements BalancePolicy {

    private static final int POINTS_PER_BACKEND = 160;

    private final NavigableMap<Long, Backend> ring = new TreeMap<>();

    public ConsistentHashPolicy(List<Backend> backends) {
        for (Backend backend : backends) {
            for (int point = 0; point < POINTS_PER_BACKEND; point++) {
                ring.put(hash(backend.target().origin() + "#" + point), backend);
            }
        }
    }

    @Override
    public Backend choose(List<Backend> candidates, String affinityKey) {
        long hash = hash(affinityKey == null ? "" : affinityKey);
        for (Map.Entry<Long, Backend> entry : ring.tailMap(hash, true).entrySet()) {
            if (candidates.contains(entry.getValue())) {
                return entry.getValue();
            }
        }
        for (Map.Entry<Long, Backend> entry : ring.headMap(hash, false).entrySet()) {
            if (candidates.contains(entry.getValue())) {
                return entry.getValue();
            }
        }
        return candidates.get(0);
    }

    /** 64-bit FNV-1a, then a finaliser so nearby keys spread over the ring. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
