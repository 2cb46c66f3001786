package dev.caravan.rewrite;

import dev.caravan.http.Answer;
import dev.caravan.http.DirectStep;
import dev.caravan.http.DirectStepProducer;
import dev.caravan.http.HttpBinding;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers with a redirect, the gateway's own (nothing reaches a backend).
 *
 * <p>{@code caravan-redirect:301?match=^/old/(.*)$&location=https://{host}/new/{1}{?query}} moves a section;
 * {@code caravan-redirect:308?trailingSlash=add} sends {@code /docs} to {@code /docs/}. A request the step does not
 * match goes on. Options: {@link RedirectConfiguration}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "caravan-redirect", title = "Caravan Redirect",
        syntax = "caravan-redirect:status", producerOnly = true, category = Category.HTTP)
public final class RedirectEndpoint extends DefaultEndpoint implements DirectStep.Source {

    @UriParam
    private final RedirectConfiguration configuration;
    private final HttpBinding binding = new HttpBinding();
    private Pattern match;
    private TargetTemplate location;

    RedirectEndpoint(String uri, RedirectComponent component, RedirectConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public RedirectConfiguration getConfiguration() {
        return configuration;
    }

    void compile() {
        match = configuration.getMatch().isBlank() ? null : Pattern.compile(configuration.getMatch());
        location = new TargetTemplate(configuration.getLocation());
    }

    @Override
    public Producer createProducer() {
        return DirectStepProducer.of(this, "caravan-redirect", directStep());
    }

    /** Answers from the target the route's message holds: the same on the fast path. */
    @Override
    public DirectStep directStep() {
        return (request, route) -> {
            String target = binding.targetOf(route.get(), request);
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? null : target.substring(q + 1);
            Matcher matcher = null;
            if (match != null) {
                matcher = match.matcher(path);
                if (!matcher.matches()) {
                    return null;
                }
            }
            switch (configuration.getTrailingSlash()) {
                case "add" -> {
                    if (path.endsWith("/")) {
                        return null;
                    }
                    path = path + "/";
                }
                case "remove" -> {
                    if (!path.endsWith("/") || path.equals("/")) {
                        return null;
                    }
                    path = path.substring(0, path.length() - 1);
                }
                default -> {
                }
            }
            String to = location.expand(TargetTemplate.Values.of(request, path, query, matcher));
            return Answer.redirect(configuration.getStatus(), to);
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("caravan-redirect is a step: use it in to:");
    }
}
