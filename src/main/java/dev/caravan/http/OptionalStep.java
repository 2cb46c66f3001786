package dev.caravan.http;

/**
 * An endpoint a route option can turn off ({@code enabled=false}); turned off, its step does nothing, so a route made
 * only of such steps and a {@code caravan-forward} still counts as forward-only (see {@link DirectForward}).
 */
public interface OptionalStep {

    /** True when the step does nothing for this route. */
    boolean isOff();
}
