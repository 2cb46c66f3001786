package dev.caravan.forward;

import dev.caravan.http.EventLoops;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Routes sharing a backend share its pool only when they agree on its settings; no route's settings win silently. */
class BackendPoolsTest {

    @Test
    void differentPoolSettingsForOneBackendGetTheirOwnPools() {
        try (EventLoops loops = new EventLoops(1); BackendPools pools = new BackendPools(loops, null)) {
            BackendTarget target = BackendTarget.parse("http://127.0.0.1:9");
            PoolSettings small = new PoolSettings(1000, 2, 4000);
            PoolSettings large = new PoolSettings(1000, 64, 4000);
            BackendPool a = pools.pool(target, small);
            BackendPool b = pools.pool(target, large);
            assertNotSame(a, b);
            assertEquals(small, a.settings());
            assertEquals(large, b.settings(), "building the second route did not change the first route's pool");
            assertSame(a, pools.pool(BackendTarget.parse("http://127.0.0.1:9/other-base"), small),
                    "same origin and settings: one pool, whatever the base path");
        }
    }
}
