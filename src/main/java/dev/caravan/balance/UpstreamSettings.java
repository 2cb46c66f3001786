package dev.caravan.balance;

/**
 * How a group of backends shares and retries work.
 *
 * @param maxAttempts        backends one request may be tried on (1 = no retry)
 * @param failureThreshold   consecutive failures (connect errors, timeouts, 502/503/504) that eject a backend
 * @param ejectMillis        first ejection's cool-down; it doubles on repeated ejections
 * @param maxEjectionPercent never eject more than this share of the backends
 * @param retryBudget        retries allowed per request on average (0.2 = at most 20% extra load)
 * @param slowStartMillis    a backend that comes back gets a share ramping from 10% to 100% over this time (0 = off)
 */
public record UpstreamSettings(int maxAttempts, int failureThreshold, long ejectMillis, int maxEjectionPercent,
                               double retryBudget, long slowStartMillis) {
}
