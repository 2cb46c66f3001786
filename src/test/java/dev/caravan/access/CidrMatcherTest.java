package dev.caravan.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrMatcherTest {

    @TempDir
    Path temp;

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
        assertTrue(matcher.matches(CidrMatcher.literal("::ffff:10.1.2.3")), "an IPv4-mapped address is its IPv4");
        assertFalse(CidrMatcher.parse("").matches(CidrMatcher.literal("127.0.0.1")));
    }

    @Test
    void refusesHostNamesAndBadRanges() {
        assertNull(CidrMatcher.literal("example.com"));
        assertNull(CidrMatcher.literal("unknown"));
        assertNull(CidrMatcher.literal("beef"), "all hex digits, but not an address: must not reach DNS");
        assertNull(CidrMatcher.literal("dead.beef"), "hex letters and dots: a host name, not an address");
        assertNull(CidrMatcher.literal("cafe:babe"), "not a whole IPv6 address");
        assertNull(CidrMatcher.literal("1.2.3"));
        assertNull(CidrMatcher.literal("1.2.3.4:80"));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("proxy.internal"));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("dead.beef/16"));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse("2001:db8::/129"));
    }

    /**
     * The proof that no lookup happens: in a JVM whose resolver answers {@code dead.beef} from a hosts file, the lookup
     * finds it, and {@link CidrMatcher#literal} still says it is no address (it used to ask the resolver).
     */
    @Test
    void neverAsksTheResolver() throws Exception {
        Path hosts = Files.writeString(temp.resolve("hosts"), "10.11.12.13 dead.beef\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djdk.net.hosts.file=" + hosts, LiteralProbe.class.getName(), "dead.beef")
                .redirectErrorStream(true).start();
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        // the probe's own lines only: a newer JVM writes warnings about Netty's native and Unsafe use to the same stream
        List<String> lines = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("lookup ") || line.startsWith("literal ")).toList();
        assertEquals(List.of("lookup 10.11.12.13", "literal null"), lines);
    }
}
