package dev.caravan.access;

import java.net.InetAddress;

/**
 * Run in a JVM whose host names come from a hosts file ({@code -Djdk.net.hosts.file}) by {@link CidrMatcherTest}:
 * prints what a name lookup gives and what {@link CidrMatcher#literal} makes of the same text.
 */
public final class LiteralProbe {

    public static void main(String[] args) throws Exception {
        System.out.println("lookup " + InetAddress.getByName(args[0]).getHostAddress());
        InetAddress literal = CidrMatcher.literal(args[0]);
        System.out.println("literal " + (literal == null ? "null" : literal.getHostAddress()));
    }
}
