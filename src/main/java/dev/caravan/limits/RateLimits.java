package dev.caravan.limits;

import com.github.benmanes.caffeine.cache.Ticker;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The named limits of one Camel context, owned by the {@code caravan-rate-limit} component so they live as long as
 * the context, not as long as a route: a route reload that keeps a limit's settings keeps its buckets (clients do not
 * get a fresh allowance on every reload), and steps in different routes that name the same limit share its buckets.
 *
 * <p>Each step that names a limit declares it while its endpoint is in use. A declaration with other settings than
 * the one in use is refused, naming the limit; once no step uses a limit any more, the next declaration may change
 * it (a reload that edits the rate gets a new limit, with new buckets). A limit no step uses is forgotten once all
 * its buckets are full again.
 */
public final class RateLimits {

    private final Ticker ticker;
    private final Map<String, Declared> limits = new HashMap<>();

    public RateLimits(Ticker ticker) {
        this.ticker = ticker;
    }

    /** The limit called {@code name}, or null. */
    public synchronized RateLimiter get(String name) {
        Declared declared = limits.get(name);
        return declared == null ? null : declared.limiter;
    }

    public synchronized Set<String> names() {
        return new TreeSet<>(limits.keySet());
    }

    /**
     * Takes the limit {@code name} with {@code settings} for one more user: the one in use if its settings are the
     * same, a new one if nobody uses that name. While a reload swaps routes, the old generation still uses the old
     * settings: {@code replacing} lets the new declaration take the name (the old routes keep their own limiter until
     * they are gone); route files that conflict with each other were refused when the set was validated.
     *
     * @throws IllegalArgumentException when a step in use declared the name with other settings and not
     *                                  {@code replacing}
     */
    synchronized RateLimiter declare(String name, LimitSettings settings, boolean replacing) {
        forgetUnused(name);
        Declared declared = limits.get(name);
        if (declared != null && declared.settings.equals(settings)) {
            declared.users++;
            return declared.limiter;
        }
        if (declared != null && declared.users > 0 && !replacing) {
            throw new IllegalArgumentException("caravan-rate-limit: the limit '" + name + "' is already declared with "
                    + declared.settings.describe() + ", and this step declares it with " + settings.describe()
                    + ": steps that name one limit share its buckets and must declare the same settings (or give this"
                    + " limit another name)");
        }
        RateLimiter limiter = new RateLimiter(name, settings.policy(),
                new LocalBucketStore(settings.policy(), settings.maxKeys(), ticker));
        limits.put(name, new Declared(settings, limiter));
        return limiter;
    }

    /** One user of {@code limiter} is gone (its endpoint stopped). */
    synchronized void release(RateLimiter limiter) {
        Declared declared = limits.get(limiter.name());
        if (declared != null && declared.limiter == limiter && declared.users > 0) {
            declared.users--;
        }
        forgetUnused(null);
    }

    /** Drops limits nobody uses whose buckets are all full again (so equal to new ones), except {@code keep}. */
    private void forgetUnused(String keep) {
        for (Iterator<Map.Entry<String, Declared>> it = limits.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Declared> entry = it.next();
            Declared declared = entry.getValue();
            if (declared.users == 0 && !entry.getKey().equals(keep)) {
                declared.limiter.store().cleanUp();
                if (declared.limiter.keys() == 0) {
                    it.remove();
                }
            }
        }
    }

    private static final class Declared {
        final LimitSettings settings;
        final RateLimiter limiter;
        int users = 1;

        Declared(LimitSettings settings, RateLimiter limiter) {
            this.settings = settings;
            this.limiter = limiter;
        }
    }
}
