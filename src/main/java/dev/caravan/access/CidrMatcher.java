package dev.caravan.access;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IP ranges ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or single addresses), IPv4 and IPv6. Only literal
 * addresses are accepted: a host name would need DNS, and a trust decision must not depend on it.
 */
public final class CidrMatcher {

    private final List<Range> ranges;

    private CidrMatcher(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** Parses a comma-separated list; an empty list matches nothing. */
    public static CidrMatcher parse(String list) {
        List<Range> ranges = new ArrayList<>();
        if (list != null) {
            for (String part : list.split(",")) {
                String cidr = part.trim();
                if (!cidr.isEmpty()) {
                    ranges.add(Range.parse(cidr));
                }
            }
        }
        return new CidrMatcher(List.copyOf(ranges));
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public boolean matches(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses a literal IP address ({@code 192.0.2.1}, {@code 2001:db8::1}, {@code [::1]}), or returns null if the text
     * is not one. Only the literal forms are read: nothing here ever asks DNS, whatever the text ({@code dead.beef} is
     * a host name, not an address). An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is its IPv4 address.
     */
    public static InetAddress literal(String text) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text.trim());
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes); // from bytes: never a lookup
        } catch (UnknownHostException e) {
            return null; // only for a wrong length, which Netty never returns
        }
    }

    private record Range(byte[] network, int prefixBits) {

        static Range parse(String cidr) {
            int slash = cidr.indexOf('/');
            InetAddress address = literal(slash < 0 ? cidr : cidr.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR range");
            }
            byte[] network = address.getAddress();
            int bits = slash < 0 ? network.length * 8 : prefixLength(cidr.substring(slash + 1).trim());
            if (bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("'" + cidr + "' has an invalid prefix length");
            }
            return new Range(network, bits);
        }

        private static int prefixLength(String text) {
            if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            return Integer.parseInt(text);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
