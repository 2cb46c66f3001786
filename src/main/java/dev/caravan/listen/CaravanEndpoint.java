package dev.caravan.listen;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code caravan:<listener>[?path=/prefix&host=*.example.com]}: a route that takes the requests of one listener
 * whose {@code Host} and path match. Several routes share a listener; the most specific match wins.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan", title = "Caravan Listener", syntax = "caravan:listener",
        consumerOnly = true, category = Category.HTTP)
public final class CaravanEndpoint extends DefaultEndpoint {

    private final Listener listener;
    private String path = "/";
    private HostPattern host = HostPattern.parse("*");

    CaravanEndpoint(String uri, CaravanComponent component, Listener listener) {
        super(uri, component);
        this.listener = listener;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        CaravanConsumer consumer = new CaravanConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
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

    /** Path prefix this route takes ({@code /api} matches {@code /api}, {@code /api/x}, not {@code /apix}). */
    public void setPath(String path) {
        this.path = path;
    }

    /** Host this route takes: exact, {@code *.example.com}, or {@code *} (default). */
    public void setHost(String host) {
        this.host = HostPattern.parse(host);
    }
}
