package dev.caravan.limits;

/**
 * What makes a named limit one limit: its policy and how its buckets are keyed and bounded. Every step that names
 * the limit must declare the same settings (how each step answers, its headers and its missing-key rule, may differ).
 */
record LimitSettings(RatePolicy policy, String key, int ipv6Prefix, long maxKeys) {

    String describe() {
        return "rate=" + policy.rate() + "/" + switch ((int) policy.period()) {
            case 1 -> "s";
            case 60 -> "m";
            default -> "h";
        } + " burst=" + policy.burst() + " key=" + key
                + (key.equals(RequestKey.CLIENT_IP) ? " ipv6Prefix=" + ipv6Prefix : "") + " maxKeys=" + maxKeys;
    }
}
