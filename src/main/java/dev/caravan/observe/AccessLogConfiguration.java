package dev.caravan.observe;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

import java.util.Locale;

/** The options of a {@code caravan-access-log:} step, each with its one default. */
@UriParams
public final class AccessLogConfiguration {

    @UriPath(enums = "on,off,combined,json", description = "off: no access-log line for this route's requests; on: a"
            + " line in the listener's format; combined or json: a line in that format")
    @Metadata(required = true)
    private String mode;
    @UriParam(label = "producer", defaultValue = "false",
            description = "Log only errors: status 400 and above, or a request that did not complete")
    private boolean errorsOnly;
    @UriParam(label = "producer", defaultValue = "1.0", description = "Share of the successful requests logged, from"
            + " 0 to 1 (errors are always logged)")
    private double sample = 1.0;

    /** The route's choice; a null format means the listener's. */
    RouteChoice choice() {
        if (sample < 0 || sample > 1 || Double.isNaN(sample)) {
            throw new IllegalArgumentException("caravan-access-log: sample must be from 0 to 1, was " + sample);
        }
        String m = mode == null ? "" : mode.trim().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "off" -> new RouteChoice(false, null, errorsOnly, sample);
            case "on" -> new RouteChoice(true, null, errorsOnly, sample);
            case "combined", "json" -> new RouteChoice(true, AccessLogFormat.parse("caravan-access-log", m), errorsOnly,
                    sample);
            default -> throw new IllegalArgumentException("caravan-access-log: needs on, off, combined or json, e.g."
                    + " caravan-access-log:json, was '" + mode + "'");
        };
    }

    /** What a route chose; its format, when null, is the listener's. */
    record RouteChoice(boolean enabled, AccessLogFormat format, boolean errorsOnly, double sample) {

        AccessLogChoice over(AccessLogChoice listener) {
            return new AccessLogChoice(enabled, format == null ? listener.format() : format, errorsOnly, sample);
        }
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public boolean isErrorsOnly() {
        return errorsOnly;
    }

    public void setErrorsOnly(boolean errorsOnly) {
        this.errorsOnly = errorsOnly;
    }

    public double getSample() {
        return sample;
    }

    public void setSample(double sample) {
        this.sample = sample;
    }
}
