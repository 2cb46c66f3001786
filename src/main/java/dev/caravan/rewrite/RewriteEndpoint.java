package dev.caravan.rewrite;

import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.HttpBinding;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the request target sent to the backend with a regular expression and templates, and optionally the Host.
 *
 * <p>{@code caravan-rewrite:v2?match=^/api/v1/(.*)$&path=/v2/{1}} turns {@code /api/v1/items?x=1} into
 * {@code /v2/items?x=1}. It sets {@code CamelHttpUri}, the header the forwarder sends; rules and routing keep seeing
 * the client's path. Options: {@link RewriteConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-rewrite", title = "Caravan Rewrite",
        syntax = "caravan-rewrite:name", producerOnly = true, category = Category.HTTP)
public final class RewriteEndpoint extends DefaultEndpoint implements DirectStep.Source {

    @UriParam
    private final RewriteConfiguration configuration;
    private final HttpBinding binding = new HttpBinding();
    private Pattern match;
    private TargetTemplate path;
    private TargetTemplate query;
    private TargetTemplate host;

    RewriteEndpoint(String uri, RewriteComponent component, RewriteConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public RewriteConfiguration getConfiguration() {
        return configuration;
    }

    void compile() {
        match = Pattern.compile(configuration.getMatch());
        path = new TargetTemplate(configuration.getPath());
        query = new TargetTemplate(configuration.getQuery());
        host = configuration.getHost().isBlank() ? null : new TargetTemplate(configuration.getHost());
    }

    @Override
    public Producer createProducer() {
        return DirectStepProducer.of(this, "caravan-rewrite", directStep());
    }

    /** Edits the route's message (target, Host): the same on the fast path, where that message is made for it. */
    @Override
    public DirectStep directStep() {
        return (request, route) -> {
            Message message = route.get();
            String target = binding.targetOf(message, request);
            int q = target.indexOf('?');
            String currentPath = q < 0 ? target : target.substring(0, q);
            String currentQuery = q < 0 ? null : target.substring(q + 1);
            Matcher matcher = match.matcher(currentPath);
            if (!matcher.matches()) {
                return null;
            }
            TargetTemplate.Values values = TargetTemplate.Values.of(request, currentPath, currentQuery, matcher);
            String newPath = path.expand(values);
            if (!newPath.startsWith("/")) {
                newPath = "/" + newPath;
            }
            String newQuery = query.expand(values);
            message.setHeader(Exchange.HTTP_URI, newQuery.isEmpty() ? newPath : newPath + "?" + newQuery);
            if (host != null) {
                message.setHeader("Host", host.expand(values));
            }
            return null;
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-rewrite is a step: use it in to:");
    }
}
