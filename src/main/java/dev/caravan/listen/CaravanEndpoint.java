package dev.caravan.listen;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Locale;

/**
 * {@code caravan:<listener>[?path=/prefix&host=*.example.com&redirectToHttps=true]}: a route that takes the requests
 * of one listener whose {@code Host} and path match. Several routes share a listener; the most specific match wins.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan", title = "Caravan Listener", syntax = "caravan:listener",
        consumerOnly = true, category = Category.HTTP)
public final class CaravanEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    private final Listener listener;
    private final Listeners listeners;
    private String path = "/";
    /** 0: no redirect; else the status that sends plain-HTTP requests to the https listener. */
    private int redirectStatus;
    private HostPattern host = HostPattern.parse("*");

    CaravanEndpoint(String uri, CaravanComponent component, Listener listener, Listeners listeners) {
        super(uri, component);
        this.listener = listener;
        this.listeners = listeners;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (redirectStatus != 0) {
            listeners.get("https"); // fails the route now, naming the listeners, when there is nowhere to redirect to
        }
        CaravanConsumer consumer = new CaravanConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /**
     * Lifecycle (reload): during a swap the old and the new route of one path run side by side (the newest binding
     * takes new requests), so two routes may consume the same {@code caravan:} URI for a while.
     */
    @Override
    public boolean isMultipleConsumersSupported() {
        return true;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("caravan: only receives; send with caravan-forward:");
    }

    Listener listener() {
        return listener;
    }

    String path() {
        return path;
    }

    HostPattern host() {
        return host;
    }

    int redirectStatus() {
        return redirectStatus;
    }

    /** The port redirects name: the https listener's bound port. */
    int httpsPort() {
        return listeners.get("https").port();
    }

    /**
     * {@code true} or {@code 308} (keeps the method and body), {@code 301}, or {@code false} (default): answer requests
     * that did not arrive over TLS with a redirect to the same target on the https listener, without running the route.
     */
    public void setRedirectToHttps(String value) {
        redirectStatus = switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "false" -> 0;
            case "true", "308" -> 308;
            case "301" -> 301;
            default -> throw new IllegalArgumentException(
                    "redirectToHttps must be true, false, 308 or 301, was '" + value + "'");
        };
    }

    /** Path prefix this route takes ({@code /api} matches {@code /api}, {@code /api/x}, not {@code /apix}). */
    public void setPath(String path) {
        this.path = path;
    }

    /** Host this route takes: exact, {@code *.example.com}, or {@code *} (default). */
    public void setHost(String host) {
        this.host = HostPattern.parse(host);
    }
}
