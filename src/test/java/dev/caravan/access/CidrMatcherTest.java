package dev.caravan.access;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrMatcherTest {

    @Test
    void matchesIpv4AndIpv6RangesAndSingleAddresses() {
        CidrMatcher matcher = CidrMatcher.parse("10.0.0.0/8, 192.168.1.7, 172.16.0.0/12, 2001:db8::/32");
        assertTrue(matcher.matches(CidrMatcher.literal("10.200.3.4")));
        assertTrue(matcher.matches(CidrMatcher.literal("192.168.1.7")));
        assertFalse(matcher.matches(CidrMatcher.literal("192.168.1.8")));
        assertTrue(matcher.matches(CidrMatcher.literal("172.31.255.255")));
        assertFalse(matcher.matches(CidrMatcher.literal("172.32.0.0")));
        assertTrue(matcher.matches(CidrMatcher.literal("[2001:db8::1]")));
        assertFalse(matcher.matches(CidrMatcher.literal("2001:db9::1")));
        assertFalse(CidrMatcher.parse("").matches(CidrMatcher.literal("127.0.0.1")));
    }

    @Test
    void refusesHostNamesAndBadRanges() {
        assertNull(CidrMatcher.literal("example.com"));
        assertNull(CidrMatcher.literal("unknown"));
        assertNull(CidrMatcher.literal("beef"), "all hex digits, but not an address: must not reach DNS");
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("proxy.internal"));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("10.0.0.0/33"));
    }
}
