package dev.caravan.health;

/**
 * An active HTTP health check.
 *
 * @param path               what to GET on the backend, e.g. {@code /health}
 * @param intervalMillis     between checks (each waits this ±10%, so checks of many gateways do not line up)
 * @param timeoutMillis      connect plus answer; longer counts as a failure
 * @param healthyThreshold   consecutive successes that mark a down backend up
 * @param unhealthyThreshold consecutive failures that mark an up backend down
 * @param minStatus          lowest status that counts as healthy
 * @param maxStatus          highest status that counts as healthy
 */
public record HealthSettings(String path, long intervalMillis, long timeoutMillis, int healthyThreshold,
                             int unhealthyThreshold, int minStatus, int maxStatus) {

    /** Parses a status range such as {@code 200-399} or a single status such as {@code 204}. */
    public static int[] statusRange(String range) {
        String[] parts = range.trim().split("-");
        int low = Integer.parseInt(parts[0].trim());
        int high = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : low;
        if (low < 100 || high > 599 || low > high) {
            throw new IllegalArgumentException("Invalid status range '" + range + "'");
        }
        return new int[] {low, high};
    }
}
