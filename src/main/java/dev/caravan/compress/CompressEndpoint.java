package dev.caravan.compress;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import dev.caravan.http.DirectStep;
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
 * It needs no exchange, so a route of such steps and a {@code caravan-forward} keeps the fast path.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-compress", title = "Caravan Compress",
        syntax = "caravan-compress:codings", producerOnly = true, category = Category.HTTP)
public final class CompressEndpoint extends DefaultEndpoint implements dev.caravan.http.OptionalStep,
        DirectStep.Source {

    private static final Logger LOG = LoggerFactory.getLogger(CompressEndpoint.class);

    @UriParam
    private final CompressConfiguration configuration;
    private List<String> codings;

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
        return directStep();
    }

    /** The same step on the fast path: it reads {@code Accept-Encoding} and acts on the response head alone. */
    @Override
    public CompressStep directStep() {
        return new CompressStep(this, codings(), new ContentTypes(configuration.getTypes()), configuration);
    }

    /** The configured codings this platform has (said once per endpoint when brotli is missing). */
    private synchronized List<String> codings() {
        if (codings == null) {
            List<String> wanted = configuration.codingList();
            if (wanted.contains("br") && !Brotli4jLoader.isAvailable()) {
                LOG.warn("brotli is not available on this platform ({}); {} offers gzip only",
                        Brotli4jLoader.getUnavailabilityCause(), getEndpointUri());
                wanted = wanted.stream().filter(c -> !c.equals("br")).toList();
            }
            codings = wanted;
        }
        return codings;
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-compress is a step: use it in to:");
    }
}
