package dev.caravan.access;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An ordered list of {@code allow}/{@code deny} rules on IP ranges, IPv4 and IPv6: the first rule whose range holds the
 * address decides, and an address no rule names gets the default. {@code all} stands for every address.
 */
final class IpRules {

    private final List<Rule> rules;
    private final boolean allowByDefault;

    private IpRules(List<Rule> rules, boolean allowByDefault) {
        this.rules = rules;
        this.allowByDefault = allowByDefault;
    }

    /**
     * @param rules         e.g. {@code "deny 10.9.0.0/16, allow 10.0.0.0/8, allow 2001:db8::/32"}
     * @param defaultAction {@code allow} or {@code deny}
     */
    static IpRules parse(String rules, String defaultAction) {
        List<Rule> parsed = new ArrayList<>();
        for (String entry : rules == null ? new String[0] : rules.split(",")) {
            String text = entry.trim();
            if (text.isEmpty()) {
                continue;
            }
            String[] words = text.split("\\s+");
            if (words.length != 2) {
                throw new IllegalArgumentException("rules: '" + text + "' must read 'allow <range>' or 'deny <range>'");
            }
            boolean allow = isAllow(words[0], "rules: '" + text + "'");
            String range = words[1].toLowerCase(Locale.ROOT).equals("all") ? "0.0.0.0/0, ::/0" : words[1];
            try {
                parsed.add(new Rule(allow, CidrMatcher.parse(range)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rules: " + e.getMessage());
            }
        }
        return new IpRules(List.copyOf(parsed), isAllow(defaultAction, "defaultAction"));
    }

    static boolean isAllow(String action, String option) {
        return switch (action.trim().toLowerCase(Locale.ROOT)) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalArgumentException(option + ": needs allow or deny, was '" + action.trim() + "'");
        };
    }

    /** True if the address may pass; null (not an address) gets the default. */
    boolean allows(InetAddress address) {
        if (address != null) {
            for (Rule rule : rules) {
                if (rule.range.matches(address)) {
                    return rule.allow;
                }
            }
        }
        return allowByDefault;
    }

    private record Rule(boolean allow, CidrMatcher range) {
    }
}
