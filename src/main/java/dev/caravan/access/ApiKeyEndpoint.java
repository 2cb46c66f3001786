package dev.caravan.access;

import dev.caravan.config.ValidationContext;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.ProxyExchange;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Lets a request on only with a known API key, in a header or a query parameter:
 * {@code caravan-apikey:partners?keys=/etc/caravan/keys.txt}. Keys are kept as SHA-256 hashes in a file that is
 * re-read when it changes. A missing or unknown key gets 401; the key never reaches the backend (the header is removed,
 * the query parameter cut out of the target), and the key's label can be sent instead. Options:
 * {@link ApiKeyConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-apikey", title = "Caravan API Keys",
        syntax = "caravan-apikey:name", producerOnly = true, category = Category.HTTP)
public final class ApiKeyEndpoint extends DefaultEndpoint implements DirectStep.Source {

    @UriParam
    private final ApiKeyConfiguration configuration;

    ApiKeyEndpoint(String uri, ApiKeyComponent component, ApiKeyConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public ApiKeyConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public ApiKeyComponent getComponent() {
        return (ApiKeyComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new ApiKeyProducer();
    }

    /** The same check without an exchange (a forward-only route's fast path); started and stopped by its user. */
    @Override
    public DirectStep directStep() {
        return new ApiKeyProducer();
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-apikey is a step: use it in to:");
    }

    private final class ApiKeyProducer extends DirectStepProducer {

        private final Path path = Path.of(configuration.getKeys().trim());
        private final String header = configuration.getHeader().trim();
        private final String query = configuration.getQuery().trim();
        private final String labelHeader = configuration.getLabelHeader().trim();
        private final IdentityHeaders identity = IdentityHeaders.of(List.of(labelHeader));
        private final String challenge = "ApiKey realm=\"" + configuration.getName() + "\"";
        private WatchedFile<ApiKeys> keys;

        ApiKeyProducer() {
            super(ApiKeyEndpoint.this, "caravan-apikey");
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            if (ValidationContext.isValidation(getCamelContext())) {
                return; // the files were checked when the endpoint was made; nothing runs here
            }
            keys = getComponent().files().acquire(path, ApiKeys.FORMAT, configuration.getReloadInterval());
        }

        @Override
        protected void doStop() throws Exception {
            if (keys != null) {
                getComponent().files().release(keys);
                keys = null;
            }
            super.doStop();
        }

        @Override
        public Answer decide(ProxyExchange request, Supplier<Message> route) {
            Message message = route.get();
            identity.stripFrom(message);
            String presented = null;
            boolean ambiguous = false;
            if (!header.isEmpty()) {
                Object value = message.removeHeader(header);
                ambiguous = value instanceof List<?>; // sent twice: which one is meant?
                presented = value instanceof String s ? s.trim() : null;
            }
            if (!query.isEmpty()) {
                String target = message.getHeader(Exchange.HTTP_URI, String.class);
                QueryParameter parameter = QueryParameter.find(target != null ? target : request.rawTarget(), query);
                if (parameter != null) {
                    withoutParameter(message, parameter.targetWithout());
                    if (presented == null) {
                        presented = parameter.value();
                    }
                }
            }
            String label = presented == null || presented.isEmpty() || ambiguous ? null
                    : keys.current().labelOf(presented);
            if (label == null) {
                return Answer.status(401).header("WWW-Authenticate", challenge);
            }
            if (!labelHeader.isEmpty()) {
                message.setHeader(labelHeader, label);
            }
            return null;
        }

        /** The target without the key: {@code CamelHttpUri} is what the forwarder sends once a route changed it. */
        private void withoutParameter(Message message, String target) {
            message.setHeader(Exchange.HTTP_URI, target);
            int q = target.indexOf('?');
            if (q < 0) {
                message.removeHeader(Exchange.HTTP_QUERY);
            } else {
                message.setHeader(Exchange.HTTP_QUERY, target.substring(q + 1));
            }
        }
    }
}
