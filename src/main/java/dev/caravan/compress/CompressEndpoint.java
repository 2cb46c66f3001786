package dev.caravan.compress;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Compresses responses for clients that accept it: {@code caravan-compress:br,gzip} (options:
 * {@link CompressConfiguration}). Put it before {@code caravan-forward}; it acts on every response of the request.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-compress", title = "Caravan Compress",
        syntax = "caravan-compress:codings", producerOnly = true, category = Category.HTTP)
public final class CompressEndpoint extends DefaultEndpoint implements dev.caravan.http.OptionalStep {

    private static final Logger LOG = LoggerFactory.getLogger(CompressEndpoint.class);

    @UriParam
    private final CompressConfiguration configuration;

    CompressEndpoint(String uri, CompressComponent component, CompressConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public CompressConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public boolean isOff() {
        return !configuration.isEnabled();
    }

    @Override
    public Producer createProducer() {
        if (!configuration.isEnabled()) {
            return new DefaultProducer(this) {
                @Override
                public void process(Exchange exchange) {
                    // turned off: responses go out as they are
                }
            };
        }
        List<String> codings = configuration.codingList();
        if (codings.contains("br") && !Brotli4jLoader.isAvailable()) {
            LOG.warn("brotli is not available on this platform ({}); {} offers gzip only",
                    Brotli4jLoader.getUnavailabilityCause(), getEndpointUri());
            codings = codings.stream().filter(c -> !c.equals("br")).toList();
        }
        return new CompressStep(this, codings, new ContentTypes(configuration.getTypes()), configuration);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-compress is a step: use it in to:");
    }
}
