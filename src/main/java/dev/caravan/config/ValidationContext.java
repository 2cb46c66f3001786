package dev.caravan.config;

import org.apache.camel.CamelContext;

/**
 * Tells a component whether its Camel context is the scratch context in which Caravan validates a set of route files
 * before it goes live. Steps that load files or fetch key sets skip that work there, and checks that compare the routes
 * of one set with each other (a limit declared twice with different settings) are strict there, where only the new
 * set is present.
 */
public final class ValidationContext {

    /** The global option {@link RouteValidator} sets on its scratch context. */
    static final String MARKER = "CaravanValidation";

    private ValidationContext() {
    }

    public static boolean isValidation(CamelContext context) {
        return "true".equals(context.getGlobalOption(MARKER));
    }
}
