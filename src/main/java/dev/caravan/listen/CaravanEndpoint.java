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
 * {@code caravan:<listener>[,<listener>...][?path=/prefix&host=*.example.com&redirectToHttps=true]}: a route that
 * takes the requests of one or more listeners whose {@code Host} and path match. Several routes share a listener; the
 * most specific match wins. Options: {@link CaravanConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan", title = "Caravan Listener", syntax = "caravan:listeners",
        consumerOnly = true, category = Category.HTTP)
public final class CaravanEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    @UriParam
    private final CaravanConfiguration configuration;
    private final List<Listener> listeners;
    private final Listeners allListeners;
    private final HostPattern host;
    private final int redirectStatus;

    CaravanEndpoint(String uri, CaravanComponent component, CaravanConfiguration configuration, List<Listener> listeners,
                    Listeners allListeners) {
        super(uri, component);
        this.configuration = configuration;
        this.listeners = listeners;
        this.allListeners = allListeners;
        this.host = configuration.hostPattern();
        this.redirectStatus = configuration.redirectStatus();
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

    /** The port redirects name: the https listener's bound port. */
    int httpsPort() {
        return allListeners.get("https").port();
    }
}
