package dev.caravan.listen;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

import java.util.List;

/**
 * Takes the requests of one or more Caravan listeners whose Host and path match; the most specific route wins.
 *
 * <p>{@code caravan:<listener>[,<listener>...][?path=/prefix&host=*.example.com&redirectToHttps=true]}; options:
 * {@link CaravanConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan", title = "Caravan Listener", syntax = "caravan:listeners",
        consumerOnly = true, category = Category.HTTP)
public final class CaravanEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    @UriParam
    private final CaravanConfiguration configuration;
    private final Listeners allListeners;
    private List<Listener> listeners;
    private HostPattern host;
    private int redirectStatus;

    CaravanEndpoint(String uri, CaravanComponent component, CaravanConfiguration configuration, Listeners allListeners) {
        super(uri, component);
        this.configuration = configuration;
        this.allListeners = allListeners;
    }

    /** Once the options are set: finds the listeners (failing with their names when one is unknown). */
    void resolve() {
        listeners = configuration.listenerNames().stream().map(allListeners::get).toList();
        host = configuration.hostPattern();
        redirectStatus = configuration.redirectStatus();
        if (redirectStatus != 0) {
            allListeners.get("https"); // fails the route now, naming the listeners, when there is nowhere to redirect to
        }
    }

    public CaravanConfiguration getConfiguration() {
        return configuration;
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

    /** Routes of two generations share an endpoint during a reload; the route table decides who takes a request. */
    @Override
    public boolean isMultipleConsumersSupported() {
        return true;
    }

    List<Listener> listeners() {
        return listeners;
    }

    String path() {
        return configuration.getPath();
    }

    HostPattern host() {
        return host;
    }

    int redirectStatus() {
        return redirectStatus;
    }

    /** The largest body this route takes from a request on {@code listener} (0: no limit). */
    long maxBodyBytes(ListenerConfig listener) {
        long own = configuration.maxBodyBytes();
        return own >= 0 ? own : listener.limits().maxBodySize();
    }

    boolean isGuard() {
        return configuration.isGuard();
    }

    int maxConcurrent() {
        return configuration.getMaxConcurrent();
    }

    /** The port redirects name: the https listener's bound port. */
    int httpsPort() {
        return allListeners.get("https").port();
    }
}
