package dev.caravan.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * The stored responses of one key (route, method, URI), one per set of values of the headers they vary on, newest
 * first. Immutable: the cache replaces the whole value, so readers on other event loops never see a half change.
 */
public final class Variants {

    /** Beyond this many variants (say, {@code Vary: User-Agent}) the oldest is dropped. */
    static final int MAX_VARIANTS = 16;

    private final List<StoredResponse> entries;
    private final int weight;
    private final long retainUntil;

    private Variants(List<StoredResponse> entries, int keyLength) {
        this.entries = entries;
        long w = 64L + 2L * keyLength;
        long retain = 0;
        for (StoredResponse entry : entries) {
            w += entry.weight();
            retain = Math.max(retain, entry.retainUntil());
        }
        this.weight = (int) Math.min(Integer.MAX_VALUE, w);
        this.retainUntil = retain;
    }

    static Variants of(String key, StoredResponse entry) {
        return new Variants(List.of(entry), key.length());
    }

    /** These variants with {@code entry} added, replacing the one stored for the same request values. */
    Variants with(String key, StoredResponse entry, long now) {
        List<StoredResponse> next = new ArrayList<>(entries.size() + 1);
        next.add(entry);
        for (StoredResponse old : entries) {
            if (!old.vary().equals(entry.vary()) && old.retainUntil() > now && next.size() < MAX_VARIANTS) {
                next.add(old);
            }
        }
        return new Variants(List.copyOf(next), key.length());
    }

    /** The newest variant that may answer this request (RFC 9111 4.1), fresh or not; null when none. */
    StoredResponse select(RequestFacts request, long now) {
        for (StoredResponse entry : entries) {
            if (entry.retainUntil() > now && entry.selectableFor(request)) {
                return entry;
            }
        }
        return null;
    }

    public List<StoredResponse> entries() {
        return entries;
    }

    /** Heap bytes held, roughly (the cache's weigher). */
    public int weight() {
        return weight;
    }

    /** Epoch ms after which no variant is of use. */
    long retainUntil() {
        return retainUntil;
    }
}
