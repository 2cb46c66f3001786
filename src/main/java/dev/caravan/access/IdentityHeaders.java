package dev.caravan.access;

import org.apache.camel.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The headers an authentication step fills with the identity it verified (user, subject, claims, key label). A client
 * could send them itself, so every copy it sent is removed before the step decides, whatever the outcome, also when
 * spelled with underscores ({@code X_User}), which some servers read as {@code X-User}.
 */
final class IdentityHeaders {

    private final List<String> keys;

    private IdentityHeaders(List<String> keys) {
        this.keys = keys;
    }

    /** The headers named (null or empty names are skipped); each must be a valid header name. */
    static IdentityHeaders of(List<String> names) {
        List<String> keys = new ArrayList<>();
        for (String name : names) {
            if (name != null && !name.isBlank()) {
                keys.add(key(HeaderNames.require(name.trim(), "identity header")));
            }
        }
        return new IdentityHeaders(List.copyOf(keys));
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }

    /** Removes every copy of these headers from the request on its way to the backend. */
    void stripFrom(Message message) {
        if (!keys.isEmpty()) {
            message.getHeaders().keySet().removeIf(name -> keys.contains(key(name)));
        }
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
