package dev.caravan.access;

import dev.caravan.config.ValidationContext;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Allows or denies a request by the country of its client address (behind trusted proxies, the address they report),
 * from a MaxMind GeoIP2 database: {@code caravan-geo:eu?database=/var/lib/GeoLite2-Country.mmdb&allow=SE,DE}. A denied
 * request gets 403 and never reaches a backend. Options: {@link GeoConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-geo", title = "Caravan Country Rules",
        syntax = "caravan-geo:name", producerOnly = true, category = Category.HTTP)
public final class GeoEndpoint extends DefaultEndpoint implements DirectStep.Source {

    private static final Logger LOG = LoggerFactory.getLogger(GeoEndpoint.class);

    @UriParam
    private final GeoConfiguration configuration;

    GeoEndpoint(String uri, GeoComponent component, GeoConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public GeoConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public GeoComponent getComponent() {
        return (GeoComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new GeoProducer();
    }

    /** The same rule without an exchange (a forward-only route's fast path); started and stopped by its user. */
    @Override
    public DirectStep directStep() {
        return new GeoProducer();
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-geo is a step: use it in to:");
    }

    private final class GeoProducer extends DirectStepProducer {

        private final GeoConfiguration.GeoRule rule = configuration.rule();
        private final String countryHeader = configuration.getCountryHeader().trim();
        private final IdentityHeaders identity = IdentityHeaders.of(List.of(countryHeader));
        private WatchedFile<GeoDatabase> database;

        GeoProducer() {
            super(GeoEndpoint.this, "caravan-geo");
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            if (ValidationContext.isValidation(getCamelContext())) {
                return; // the files were checked when the endpoint was made; nothing runs here
            }
            database = getComponent().files().acquire(Path.of(configuration.getDatabase().trim()), GeoDatabase.FORMAT,
                    configuration.getReloadInterval());
        }

        @Override
        protected void doStop() throws Exception {
            if (database != null) {
                getComponent().files().release(database);
                database = null;
            }
            super.doStop();
        }

        @Override
        public Answer decide(ProxyExchange request, Supplier<Message> route) {
            String client = request.clientIp();
            Message message = route.get();
            identity.stripFrom(message);
            String country = database.current().countryOf(CidrMatcher.literal(client));
            if (!rule.allows(country)) {
                LOG.debug("caravan-geo:{} denied {} ({})", configuration.getName(), client,
                        country == null ? "no country" : country);
                return Answer.status(403);
            }
            if (!countryHeader.isEmpty() && country != null) {
                message.setHeader(countryHeader, country);
            }
            return null;
        }
    }
}
