package dev.caravan.observe;

/**
 * Whether and how requests are access-logged: for a listener (settings) or a route (the {@code caravan-access-log}
 * step). Errors (status 400 and above, or a request that did not complete) are always logged when logging is on;
 * {@code sample} thins out the rest, {@code errorsOnly} drops them.
 *
 * @param sample the share of successful requests logged, 0 to 1
 */
public record AccessLogChoice(boolean enabled, AccessLogFormat format, boolean errorsOnly, double sample) {

    public AccessLogChoice withEnabled(boolean on) {
        return new AccessLogChoice(on, format, errorsOnly, sample);
    }

    public AccessLogChoice withFormat(AccessLogFormat f) {
        return new AccessLogChoice(enabled, f, errorsOnly, sample);
    }

    /** True when a request that ended like this is to be logged; {@code dice} is a uniform draw in [0, 1). */
    boolean logs(boolean error, double dice) {
        if (!enabled) {
            return false;
        }
        if (error) {
            return true;
        }
        return !errorsOnly && (sample >= 1.0 || dice < sample);
    }
}
