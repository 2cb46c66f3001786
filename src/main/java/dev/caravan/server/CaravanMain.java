package dev.caravan.server;

import dev.caravan.http.HeaderMapFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * camel-main as Caravan's own process runs it: the context uses Caravan's faster header map (set here, on this
 * context only, never through a class-path service file that would change every context of a host application) and
 * sees the component jars of the {@code lib/} folder.
 */
public final class CaravanMain extends Main {

    private final ClassLoader applicationClassLoader;

    /** @param applicationClassLoader the loader of the {@code lib/} jars (or Caravan's own when there are none) */
    public CaravanMain(Class<?> mainClass, ClassLoader applicationClassLoader) {
        super(mainClass);
        this.applicationClassLoader = applicationClassLoader;
        // camel-main would scan the main class's package (all of dev.caravan) for RouteBuilders: Caravan adds its
        // one template itself, and a scan would also pick up any RouteBuilder a host or a test put in that package
        configure().setBasePackageScanEnabled(false);
    }

    @Override
    protected CamelContext createCamelContext() {
        CamelContext context = super.createCamelContext();
        // Camel resolves components, data formats, languages and type converters through this loader
        // (FactoryFinder, ClassResolver), so a lib/ jar's META-INF/services/org/apache/camel/* entries are found
        context.setApplicationContextClassLoader(applicationClassLoader);
        context.getCamelContextExtension().setHeadersMapFactory(new HeaderMapFactory());
        return context;
    }
}
