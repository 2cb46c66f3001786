package dev.caravan.config;

import dev.caravan.listen.HostPattern;
import dev.caravan.listen.RouteTable;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.util.URISupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a complete set of route files before any of it goes live, as one configuration: the files are parsed and
 * their routes built in a scratch Camel context that shares the real beans and properties but never starts a route.
 * That finds bad YAML, unknown steps, bad endpoint URIs or options, missing beans and unknown listeners (naming the
 * file and line), and whole-set conflicts: a route id, route template id or {@code routeConfiguration} id used twice,
 * and two routes taking the same listener, host and path (naming both places).
 */
final class RouteValidator {

    private static final Pattern LINE = Pattern.compile("line (\\d+)");
    private static final Pattern CONFIGURATION_CLASH = Pattern.compile("Route configuration already exists with id: (.+)");

    private final CamelContext live;
    private final Supplier<List<RoutesBuilder>> builtIn;
    private final Predicate<String> own;

    /** {@code builtIn} makes fresh copies of the routes and templates that come from code, not files. */
    RouteValidator(CamelContext live, Supplier<List<RoutesBuilder>> builtIn) {
        this(live, builtIn, id -> false);
    }

    /**
     * @param own tells the live routes that came from the folder (by Camel id) from those the host application
     *            defined in code: a file may not take the id, or the listener, host and path, of the application's
     */
    RouteValidator(CamelContext live, Supplier<List<RoutesBuilder>> builtIn, Predicate<String> own) {
        this.live = live;
        this.builtIn = builtIn;
        this.own = own;
    }

    /** Validates with the live properties. */
    RouteSet validate(Map<Path, String> files) throws RouteFileException {
        return validate(files, live.getPropertiesComponent().loadProperties());
    }

    /** Validates with the given properties (a changed properties file); returns the set with every route's place. */
    RouteSet validate(Map<Path, String> files, Properties properties) throws RouteFileException {
        DefaultCamelContext scratch = new DefaultCamelContext(false);
        scratch.getCamelContextExtension().setRegistry(new DefaultRegistry(live.getRegistry()));
        // components of the live context's class path (lib/, a host application's) resolve here too
        scratch.setApplicationContextClassLoader(live.getApplicationContextClassLoader());
        scratch.getPropertiesComponent().setInitialProperties(properties);
        scratch.setAutoStartup(false);
        scratch.setSourceLocationEnabled(true);
        scratch.setStartupSummaryLevel(StartupSummaryLevel.Off);
        scratch.getCamelContextExtension().setName("caravan-validation");
        scratch.getGlobalOptions().put(ValidationContext.MARKER, "true");
        try {
            scratch.start();
            for (RoutesBuilder builder : builtIn.get()) {
                scratch.addRoutes(builder);
            }
            return check(scratch, files);
        } catch (RouteFileException e) {
            throw e;
        } catch (Exception e) {
            throw new RouteFileException("Route validation failed: " + rootMessage(e), e);
        } finally {
            scratch.stop();
        }
    }

    private RouteSet check(DefaultCamelContext scratch, Map<Path, String> files) throws Exception {
        List<RouteFile> parsed = new ArrayList<>();
        for (Map.Entry<Path, String> file : files.entrySet()) {
            parsed.add(step(scratch, file.getKey(), () -> RouteFile.parse(scratch, file.getKey(), file.getValue())));
        }
        Map<String, String> configurations = new HashMap<>();
        for (RouteFile file : parsed) {
            List<RouteConfigurationDefinition> added;
            try {
                added = file.addConfigurations(scratch);
            } catch (IllegalArgumentException e) {
                Matcher clash = CONFIGURATION_CLASH.matcher(String.valueOf(e.getMessage()));
                if (!clash.find()) {
                    throw new RouteFileException(file.path() + lineOf(scratch, e) + ": " + rootMessage(e), e);
                }
                String id = clash.group(1).strip();
                String here = file.declaredConfigurations().stream().filter(c -> id.equals(c.getId()))
                        .reduce((first, second) -> second).map(c -> place(file.path(), file.lineOf(c)))
                        .orElse(file.path().toString());
                throw new RouteFileException("routeConfiguration id '" + id + "' is defined twice: "
                        + configurations.getOrDefault(id, here) + " and " + here, e);
            }
            for (RouteConfigurationDefinition configuration : added) {
                if (configuration.getId() != null) {
                    configurations.put(configuration.getId(), place(file.path(), file.lineOf(configuration)));
                }
            }
        }
        Map<String, String> templates = new HashMap<>();
        for (RouteTemplateDefinition template : scratch.getRouteTemplateDefinitions()) {
            templates.put(template.getId(), "built in");
        }
        Map<String, RouteSpec> routes = new LinkedHashMap<>();
        StringBuilder shared = new StringBuilder();
        for (RouteFile file : parsed) {
            step(scratch, file.path(), () -> file.configureRoutes(scratch));
            for (UserRoute route : file.routes()) {
                RouteSpec earlier = routes.get(route.id());
                if (earlier != null) {
                    throw new RouteFileException("Route id '" + route.id() + "' is used twice: " + earlier.location()
                            + " and " + route.location());
                }
                if (live.getRoute(route.id()) != null && !own.test(route.id())) {
                    throw new RouteFileException("Route id '" + route.id() + "' (" + route.location()
                            + ") is already used by a route of the application, not from the route folder");
                }
                routes.put(route.id(), new RouteSpec(route.id(), file.path(), route.line(), route.text()));
            }
            for (RouteTemplateDefinition template : file.templates()) {
                String here = place(file.path(), file.lineOf(template));
                String earlier = templates.putIfAbsent(template.getId(), here);
                if (earlier != null) {
                    throw new RouteFileException("Route template id '" + template.getId() + "' is defined twice: "
                            + earlier + " and " + here);
                }
            }
            file.items().shared().forEach(item -> shared.append(file.path()).append('\n').append(item.text()));
        }
        for (RouteFile file : parsed) {
            step(scratch, file, () -> {
                file.addRoutesTo(scratch);
                return null;
            });
        }
        for (RouteFile file : parsed) {
            step(scratch, file, () -> {
                file.addTemplatedRoutesTo(scratch);
                return null;
            });
        }
        checkDispatchClashes(scratch, routes, applicationRoutes());
        return new RouteSet(files, routes, shared.toString());
    }

    /** The live routes the host application defined (not from the folder), by id. */
    private List<Route> applicationRoutes() {
        return live.getRoutes().stream().filter(r -> !own.test(r.getRouteId())).toList();
    }

    /**
     * Two routes taking the same listener, host and path would shadow each other: the set is ambiguous. The
     * application's own {@code caravan:} routes count too (a file would silently take their requests).
     */
    private static void checkDispatchClashes(CamelContext scratch, Map<String, RouteSpec> routes,
                                             List<Route> application) throws RouteFileException {
        Map<String, String> taken = new HashMap<>();
        for (Route route : application) {
            for (String key : dispatchKeys(route.getEndpoint().getEndpointUri())) {
                taken.putIfAbsent(key, route.getRouteId());
            }
        }
        java.util.Set<String> applicationIds = new java.util.HashSet<>(taken.values());
        for (Route route : scratch.getRoutes()) {
            for (String key : dispatchKeys(route.getEndpoint().getEndpointUri())) {
                String earlier = taken.putIfAbsent(key, route.getRouteId());
                if (earlier != null) {
                    String earlierPlace = applicationIds.contains(earlier) ? "defined by the application"
                            : where(routes, earlier);
                    throw new RouteFileException("Routes '" + earlier + "' (" + earlierPlace + ") and '"
                            + route.getRouteId() + "' (" + where(routes, route.getRouteId()) + ") both take " + key);
                }
            }
        }
    }

    /**
     * {@code listener http, host *, path /x} for each listener a {@code caravan:} URI names; none for other URIs, and
     * none for a guard: guards run one after another before route matching, so a guard on {@code /} beside the
     * catch-all route (or two guards on one path) shadows nothing.
     */
    static List<String> dispatchKeys(String uri) throws RouteFileException {
        if (!uri.startsWith("caravan:")) {
            return List.of();
        }
        String rest = uri.substring("caravan:".length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        int q = rest.indexOf('?');
        String listeners = q < 0 ? rest : rest.substring(0, q);
        Map<String, Object> parameters;
        try {
            parameters = q < 0 ? Map.of() : URISupport.parseQuery(rest.substring(q + 1));
        } catch (Exception e) {
            throw new RouteFileException("Cannot read endpoint " + uri + ": " + e.getMessage(), e);
        }
        if ("true".equalsIgnoreCase(String.valueOf(parameters.get("guard")))) {
            return List.of();
        }
        String host = HostPattern.parse((String) parameters.get("host")).toString();
        String path = RouteTable.normalisePrefix((String) parameters.get("path"));
        List<String> keys = new ArrayList<>();
        for (String listener : (listeners.isBlank() ? "http" : listeners).split(",")) {
            keys.add("listener " + listener.strip() + ", host " + host + ", path " + path);
        }
        return keys;
    }

    private static String where(Map<String, RouteSpec> routes, String id) {
        RouteSpec spec = routes.get(id);
        return spec == null ? "built in" : spec.location();
    }

    private static String place(Path file, int line) {
        return file + (line > 0 ? ":" + line : "");
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    /** Runs one loading step of a file; a failure names the file and the line of the failing node. */
    private static <T> T step(ModelCamelContext scratch, Path file, Step<T> step) throws RouteFileException {
        return step(scratch, file, List.of(), step);
    }

    /** The same for a parsed file: a route built from a template is named by its templatedRoute entry's line. */
    private static <T> T step(ModelCamelContext scratch, RouteFile file, Step<T> step) throws RouteFileException {
        return step(scratch, file.path(), file.routes(), step);
    }

    private static <T> T step(ModelCamelContext scratch, Path file, List<UserRoute> routes, Step<T> step)
            throws RouteFileException {
        try {
            return step.run();
        } catch (RouteFileException e) {
            throw e;
        } catch (Exception e) {
            String line = lineOf(scratch, e);
            if (line.isEmpty()) {
                String message = String.valueOf(e.getMessage());
                line = routes.stream().filter(r -> r.line() > 0 && message.contains("route: " + r.id()))
                        .map(r -> ":" + r.line()).findFirst().orElse("");
            }
            throw new RouteFileException(file + line + ": " + rootMessage(e), e);
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
        // the route Camel says failed; else the first whose id the message names (a short id like "a" can occur in
        // any message, so Camel's own word comes first)
        String failedRouteId = null;
        for (Throwable t = e; t != null && failedRouteId == null; t = t.getCause()) {
            if (t instanceof org.apache.camel.FailedToCreateRouteException failed) {
                failedRouteId = failed.getRouteId();
            }
        }
        String message = String.valueOf(e.getMessage());
        for (RouteDefinition route : scratch.getRouteDefinitions()) {
            String id = route.getId();
            boolean failing = failedRouteId != null ? failedRouteId.equals(id) : id != null && message.contains(id);
            if (failing) {
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
        // one line: a log line per rejected change, and the YAML parser's excerpt of the file is not needed
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : firstLine(root.getMessage()).strip();
        return root == e ? text : text + " (" + firstLine(e.getMessage()).strip() + ")";
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
