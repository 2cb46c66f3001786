package dev.caravan.access;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The keys a {@code caravan-jwt} step verifies with: the loaded JWK set (file or URL) plus the shared secret, if any.
 * Never blocks: when a token names a key id the set lacks, it asks for a refresh ({@code onUnknownKeyId}) and answers
 * with no key at once, so that token gets 401 and a later one finds the new key.
 */
final class JwtKeys implements JWKSource<SecurityContext> {

    private final Supplier<JWKSet> loaded;
    private final List<JWK> extra;
    private final Runnable onUnknownKeyId;
    private volatile Combined combined;

    JwtKeys(Supplier<JWKSet> loaded, List<JWK> extra, Runnable onUnknownKeyId) {
        this.loaded = loaded;
        this.extra = List.copyOf(extra);
        this.onUnknownKeyId = onUnknownKeyId;
    }

    /** Changes (by identity) whenever the loaded key set does: what a verification was made with. */
    Object version() {
        return loaded.get();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        JWKSet set = loaded.get();
        Combined keys = combined;
        if (keys == null || keys.from != set) {
            keys = new Combined(set, withExtra(set));
            combined = keys;
        }
        List<JWK> matches = selector.select(keys.all);
        if (matches.isEmpty()) {
            Set<String> ids = selector.getMatcher().getKeyIDs();
            if (ids == null || ids.isEmpty() || ids.stream().anyMatch(id -> set.getKeyByKeyId(id) == null)) {
                onUnknownKeyId.run(); // a rotated key, or a made-up id: the refresh is rate-limited
            }
        }
        return matches;
    }

    private JWKSet withExtra(JWKSet set) {
        if (extra.isEmpty()) {
            return set;
        }
        List<JWK> all = new ArrayList<>(set.getKeys());
        all.addAll(extra);
        return new JWKSet(all);
    }

    private record Combined(JWKSet from, JWKSet all) {
    }
}
