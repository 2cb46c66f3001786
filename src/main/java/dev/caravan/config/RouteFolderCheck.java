package dev.caravan.config;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** Validates a route folder exactly as a reload would, without starting anything ({@code --validate}). */
public final class RouteFolderCheck {

    private final RouteValidator validator;

    public RouteFolderCheck(CamelContext context, Supplier<List<RoutesBuilder>> builtIn) {
        this.validator = new RouteValidator(context, builtIn);
    }

    /** Returns a one-line summary of a valid folder; throws with file and line for an invalid one. */
    public String check(Path dir) throws RouteFileException {
        RouteSet set = validator.validate(RouteFiles.read(dir));
        return set.routes().size() + " route(s) from " + set.files().size() + " file(s) in " + dir;
    }
}
