package dev.caravan.limits;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token bucket, the bounded store and the named-limit registry, on a clock the test moves by hand. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(-5_000_000_000L); // System.nanoTime() may be negative too

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private RateLimiter limiter(String rate, Long burst) {
        RatePolicy policy = RatePolicy.parse(rate, burst);
        return new RateLimiter("test", policy, new LocalBucketStore(policy, 1000, now::get));
    }

    @Test
    void aFullBucketAllowsItsBurstAtOnceThenRefillsAtTheRate() {
        RateLimiter limiter = limiter("10/s", 5L); // a token every 100 ms, 5 at most
        for (int i = 4; i >= 0; i--) {
            Decision d = limiter.check("k");
            assertTrue(d.allowed());
            assertEquals(i, d.remaining());
        }
        Decision over = limiter.check("k");
        assertFalse(over.allowed());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(100), over.retryAfterNanos());
        assertEquals(1, over.retryAfterSeconds(), "Retry-After is whole seconds, rounded up");
        advance(99);
        assertFalse(limiter.check("k").allowed(), "not yet");
        advance(1);
        assertTrue(limiter.check("k").allowed(), "one token after 100 ms");
        assertFalse(limiter.check("k").allowed(), "and only one");
        advance(10_000);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.check("k").allowed(), "a quiet client has its whole burst again, no more");
        }
        assertFalse(limiter.check("k").allowed());
        assertEquals(11, limiter.allowed());
        assertEquals(4, limiter.rejected());
    }

    @Test
    void sustainedExcessIsHeldToTheRate() {
        RateLimiter limiter = limiter("600/m", null); // 10 a second, burst 600
        int allowed = 0;
        for (int tick = 0; tick < 60_000; tick++) { // a client sending every millisecond for a minute
            allowed += limiter.check("flood").allowed() ? 1 : 0;
            advance(1);
        }
        assertEquals(600 + 599, allowed, "the burst, then 10 a second for the 59.9 s after the first refill");
    }

    @Test
    void keysAreIndependent() {
        RateLimiter limiter = limiter("1/h", 2L);
        assertTrue(limiter.check("a").allowed());
        assertTrue(limiter.check("a").allowed());
        assertFalse(limiter.check("a").allowed());
        Decision b = limiter.check("b");
        assertTrue(b.allowed());
        assertEquals(1, b.remaining());
        assertEquals(3600, b.untilFullSeconds(), "b took one token: full again in one interval (an hour)");
    }

    @Test
    void policyFieldsAndParsing() {
        RatePolicy perMinute = RatePolicy.parse("100/m", null);
        assertEquals(100, perMinute.burst());
        assertEquals(60, perMinute.windowSeconds());
        RatePolicy bursty = RatePolicy.parse("10/s", 20L);
        assertEquals(2, bursty.windowSeconds(), "20 tokens at 10 a second: 2 s to refill");
        assertEquals(1, RatePolicy.parse("100", 5L).windowSeconds(), "sub-second windows round up to 1");
        assertEquals(3600, RatePolicy.parse("10000/hour", null).period());
        assertEquals(60, RatePolicy.parse("5/min", null).period());
        for (String bad : new String[]{"", "abc", "10/d", "-1/s", "0/s", "10/s/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RatePolicy.parse(bad, null));
            assertTrue(e.getMessage().startsWith("rate"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RatePolicy.parse("5/s", 0L))
                .getMessage().startsWith("burst"));
        assertThrows(IllegalArgumentException.class, () -> RatePolicy.parse("2000000000/s", null));
    }

    @Test
    void longKeysAreStoredByDigestSoAClientCannotMakeBucketsLarge() {
        RateLimiter limiter = limiter("1/h", 1L);
        String huge = "k".repeat(10_000);
        assertTrue(limiter.check(huge).allowed());
        assertFalse(limiter.check(huge).allowed(), "the same long key is the same bucket");
        assertTrue(limiter.check(huge + "x").allowed(), "a different long key is another");
    }

    @Test
    void aBucketUnusedForItsRefillTimeIsForgottenWithoutLosingState() {
        RateLimiter limiter = limiter("1/s", 3L);
        limiter.check("k");
        limiter.check("k");
        assertEquals(1, limiter.keys());
        advance(2_999);
        limiter.store().cleanUp();
        assertEquals(1, limiter.keys(), "not yet full: still remembered");
        advance(2);
        limiter.store().cleanUp();
        assertEquals(0, limiter.keys(), "full again, so equal to a new bucket: forgotten");
    }

    @Test
    void clientAddressKeys() {
        assertEquals("192.0.2.7", RequestKey.clientKey("192.0.2.7", 64));
        assertEquals("2001:db8:1:2::/64", RequestKey.clientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64));
        assertEquals(RequestKey.clientKey("2001:db8:1:2::1", 64), RequestKey.clientKey("2001:db8:1:2:ffff::9", 64),
                "one /64, one bucket");
        assertEquals("2001:db8:1:2:aaaa:bbbb:cccc:dddd", RequestKey.clientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 128));
        assertEquals("192.0.2.7", RequestKey.clientKey("::ffff:192.0.2.7", 64), "IPv4-mapped stays the IPv4 address");
        assertEquals("2001:db8::/32", RequestKey.clientKey("2001:db8:77::1", 32));
    }

    // ---- named limits

    private static LimitSettings settings(String rate, long maxKeys) {
        return new LimitSettings(RatePolicy.parse(rate, null), "client-ip", 64, maxKeys);
    }

    @Test
    void aNameDeclaredTwiceWithTheSameSettingsIsOneLimit() {
        RateLimits limits = new RateLimits(now::get);
        RateLimiter first = limits.declare("api", settings("5/s", 100), false);
        RateLimiter second = limits.declare("api", settings("5/s", 100), false);
        assertSame(first, second, "same buckets");
        assertSame(first, limits.get("api"));
    }

    @Test
    void aNameDeclaredWithOtherSettingsIsRefusedNamingTheLimit() {
        RateLimits limits = new RateLimits(now::get);
        limits.declare("api", settings("5/s", 100), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> limits.declare("api", settings("6/s", 100), false));
        assertTrue(e.getMessage().contains("'api'"), e.getMessage());
        assertTrue(e.getMessage().contains("rate=5/s burst=5") && e.getMessage().contains("rate=6/s burst=6"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> limits.declare("api", settings("5/s", 99), false));
        assertThrows(IllegalArgumentException.class, () -> limits.declare("api",
                new LimitSettings(RatePolicy.parse("5/s", null), "header:X-Key", 64, 100), false));
    }

    /** While a reload swaps routes the old generation still holds the old settings; the new one takes the name. */
    @Test
    void aLiveReloadReplacesALimitTheOldGenerationStillUses() {
        RateLimits limits = new RateLimits(now::get);
        RateLimiter old = limits.declare("api", settings("5/s", 100), false);
        RateLimiter next = limits.declare("api", settings("6/s", 100), true);
        assertNotSame(old, next);
        assertSame(next, limits.get("api"));
        limits.release(old); // the old route goes: the new limiter stays
        assertSame(next, limits.declare("api", settings("6/s", 100), false));
    }

    @Test
    void onceNoStepUsesALimitItMayChangeAndUntilThenItKeepsItsBuckets() {
        RateLimits limits = new RateLimits(now::get);
        RateLimiter before = limits.declare("api", settings("1/h", 100), false);
        before.check("spent");
        limits.release(before);
        RateLimiter again = limits.declare("api", settings("1/h", 100), false);
        assertSame(before, again, "a reload with the same settings keeps the buckets");
        assertFalse(again.check("spent").allowed());
        limits.release(again);
        RateLimiter changed = limits.declare("api", settings("2/h", 100), false);
        assertNotSame(before, changed, "nobody used it: the new settings take over, with new buckets");
        assertTrue(changed.check("spent").allowed());
    }

    @Test
    void anUnusedLimitIsForgottenOnceItsBucketsAreFull() {
        RateLimits limits = new RateLimits(now::get);
        RateLimiter old = limits.declare("old", settings("1/s", 100), false);
        old.check("k");
        limits.release(old);
        limits.declare("other", settings("1/s", 100), false);
        assertSame(old, limits.get("old"), "its bucket still counts");
        advance(1_001);
        limits.declare("third", settings("1/s", 100), false);
        assertNull(limits.get("old"));
    }
}
