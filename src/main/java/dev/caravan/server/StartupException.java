package dev.caravan.server;

/** Caravan cannot start; the message is the one line an operator needs (file:line, or listener and address). */
public final class StartupException extends IllegalStateException {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The operator's line for a start-up failure: the first {@code StartupException} in the chain, else the root. */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StartupException) {
                return t.getMessage();
            }
            root = t;
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
