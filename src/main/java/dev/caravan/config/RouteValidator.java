package dev.caravan.config;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultRegistry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a complete set of route files before any of it goes live: each file is parsed and its routes are built in a
 * scratch Camel context that shares the real beans and properties but never starts a route. That finds bad YAML,
 * unknown steps, bad endpoint URIs or options, missing beans and duplicate route ids, and names the file and line.
 */
final class RouteValidator {

    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    private final CamelContext live;
    private final Supplier<List<RoutesBuilder>> builtIn;

    /** {@code builtIn} makes fresh copies of the routes and templates that come from code, not files. */
    RouteValidator(CamelContext live, Supplier<List<RoutesBuilder>> builtIn) {
        this.live = live;
        this.builtIn = builtIn;
    }

    void validate(Map<Path, String> files) throws RouteFileException {
        DefaultCamelContext scratch = new DefaultCamelContext(false);
        scratch.getCamelContextExtension().setRegistry(new DefaultRegistry(live.getRegistry()));
        scratch.getPropertiesComponent().setInitialProperties(live.getPropertiesComponent().loadProperties());
        scratch.setAutoStartup(false);
        scratch.setSourceLocationEnabled(true);
        scratch.getCamelContextExtension().setName("caravan-validation");
        try {
            scratch.start();
            for (RoutesBuilder builder : builtIn.get()) {
                scratch.addRoutes(builder);
            }
            for (Map.Entry<Path, String> file : files.entrySet()) {
                check(scratch, file.getKey(), file.getValue());
            }
        } catch (RouteFileException e) {
            throw e;
        } catch (Exception e) {
            throw new RouteFileException("Route validation failed: " + rootMessage(e), e);
        } finally {
            scratch.stop();
        }
    }

    private static void check(DefaultCamelContext scratch, Path file, String content) throws RouteFileException {
        try {
            RouteFileLoader.load(scratch, file, content);
        } catch (Exception e) {
            throw new RouteFileException(file + lineOf(scratch, e) + ": " + rootMessage(e), e);
        }
    }

    /** The line of the failing node: from the parser's message, or from the definition the error names. */
    private static String lineOf(ModelCamelContext scratch, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = LINE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return ":" + m.group(1);
            }
        }
        String message = String.valueOf(e.getMessage());
        for (RouteDefinition route : scratch.getRouteDefinitions()) {
            if (route.getId() != null && message.contains(route.getId())) {
                int line = lineOfNode(route.getOutputs(), message);
                if (line <= 0) {
                    line = route.getInput() != null && message.contains(route.getInput().getUri())
                            ? route.getInput().getLineNumber() : route.getLineNumber();
                }
                return line > 0 ? ":" + line : "";
            }
        }
        return "";
    }

    private static int lineOfNode(List<ProcessorDefinition<?>> nodes, String message) {
        for (ProcessorDefinition<?> node : nodes) {
            int inner = lineOfNode(node.getOutputs(), message);
            if (inner > 0) {
                return inner;
            }
            if (message.contains(">>> " + node + " <<<") && node.getLineNumber() > 0) {
                return node.getLineNumber();
            }
        }
        return -1;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? text : text + " (" + firstLine(e.getMessage()) + ")";
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
