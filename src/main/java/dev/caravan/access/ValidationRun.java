package dev.caravan.access;

import org.apache.camel.CamelContext;

/**
 * Tells whether a Camel context is Caravan's route validation: a scratch context that builds a new set of route files
 * (and starts their producers) but never runs a request. Steps skip their run-time set-up there: no shared file is
 * loaded for it, no key set fetched.
 */
final class ValidationRun {

    /** The name {@code dev.caravan.config.RouteValidator} gives its scratch context. */
    private static final String NAME = "caravan-validation";

    private ValidationRun() {
    }

    static boolean isValidation(CamelContext context) {
        return NAME.equals(context.getName());
    }
}
