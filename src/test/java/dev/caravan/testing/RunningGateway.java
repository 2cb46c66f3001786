package dev.caravan.testing;

import dev.caravan.Caravan;
import dev.caravan.config.PropertiesFile;
import dev.caravan.config.RouteReloader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Caravan, started in-process on an ephemeral loopback port with a route folder of the test's choosing, the
 * same way {@code java -jar caravan.jar} starts it.
 */
public final class RunningGateway implements AutoCloseable {

    private final Caravan caravan;

    private RunningGateway(Caravan caravan) {
        this.caravan = caravan;
    }

    public static RunningGateway start(Path routesDir, Map<String, String> properties) {
        return new RunningGateway(new Caravan(defaults(routesDir, properties)).start());
    }

    /** The same, reading (and watching) {@code propertiesFile} instead of the working directory's. */
    public static RunningGateway start(Path routesDir, Map<String, String> properties, Path propertiesFile) {
        return new RunningGateway(new Caravan(defaults(routesDir, properties), new PropertiesFile(propertiesFile)).start());
    }

    private static Map<String, String> defaults(Path routesDir, Map<String, String> properties) {
        Map<String, String> all = new HashMap<>();
        all.put("caravan.http.host", "127.0.0.1");
        all.put("caravan.http.port", "0");
        all.put("caravan.https.port", "0");
        all.put("caravan.routes.dir", routesDir.toString());
        all.put("caravan.routes.reloadInterval", "100");
        all.put("caravan.shutdown.grace", "500");
        all.put("caravan.admin.port", "0"); // never the fixed 9901: builds run side by side on this machine
        all.putAll(properties);
        return all;
    }

    /** Copies route files into a fresh folder (so a test may rewrite them) and starts on it. */
    public static RunningGateway startWithCopies(Path tempDir, Map<String, String> properties, Path... routeFiles)
            throws IOException {
        Path dir = Files.createDirectories(tempDir.resolve("routes"));
        for (Path file : routeFiles) {
            Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return start(dir, properties);
    }

    public int port() {
        return caravan.server().httpPort();
    }

    public int httpsPort() {
        return caravan.server().httpsPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** A listener of this gateway ({@code http}, {@code https}), e.g. to observe its finished exchanges. */
    public dev.caravan.listen.Listener listener(String name) {
        return caravan.server().listeners().get(name);
    }

    /** The admin listener's bound port (observe). */
    public int adminPort() {
        return caravan.server().observability().adminPort();
    }

    public RouteReloader reloader() {
        return caravan.server().reloader();
    }

    /** One {@code GET} on a fresh connection. */
    public RawHttp.Response get(String target) throws IOException {
        try (RawHttp raw = new RawHttp(port())) {
            return raw.exchange("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
        }
    }

    public org.apache.camel.CamelContext context() {
        return caravan.context();
    }

    @Override
    public void close() {
        caravan.stop();
    }
}
