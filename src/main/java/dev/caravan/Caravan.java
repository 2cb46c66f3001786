package dev.caravan;

import dev.caravan.config.PropertiesFile;
import dev.caravan.config.ProxyRouteTemplate;
import dev.caravan.config.RouteFileException;
import dev.caravan.server.CaravanLifecycle;
import dev.caravan.server.CaravanMain;
import dev.caravan.server.CaravanServer;
import dev.caravan.server.LibFolder;
import dev.caravan.server.StartupException;
import org.apache.camel.StartupSummaryLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts Caravan: a camel-main application whose routes come from the YAML files in {@code caravan.routes.dir}, with
 * the Camel components of the {@code lib/} folder ({@code caravan.lib}) on its class path. Arguments of the form
 * {@code --name=value} set properties; {@code --validate [routes-dir]} only checks the routes and settings; other
 * arguments go to camel-main. This is one user of Caravan's components; they work in other Camel runtimes too
 * ({@link CaravanServer#of}).
 */
public final class Caravan {

    /** The properties file Caravan reads (and watches) in the working directory. */
    public static final Path PROPERTIES_FILE = Path.of("application.properties");
    /** A logging configuration in the working directory replaces the built-in one. */
    static final Path LOGGING_FILE = Path.of("logback.xml");
    /** Netty's default samples every 128th buffer for leak tracking; the jar every 4096th. */
    static final String LEAK_SAMPLING_PROPERTY = "io.netty.leakDetection.samplingInterval";
    static final String LEAK_SAMPLING_INTERVAL = "4096";

    private final ClassLoader classLoader;
    private final CaravanMain main;
    private final CaravanLifecycle lifecycle;

    public Caravan(Map<String, String> properties) {
        this(properties, new PropertiesFile(PROPERTIES_FILE), false);
    }

    /** With a properties file elsewhere than the working directory (tests). */
    public Caravan(Map<String, String> properties, PropertiesFile propertiesFile) {
        this(properties, propertiesFile, false);
    }

    /**
     * Leak tracking records a stack trace for each sampled buffer: at Netty's default (every 128th) that was 2% of a
     * profile's samples under load. Every 4096th still names a leak on a busy path within seconds. Runs before any Netty
     * class loads (the interval is read once); a {@code -Dio.netty.leakDetection.*} on the command line wins.
     */
    static void sampleLeaksRarely() {
        if (System.getProperty(LEAK_SAMPLING_PROPERTY) == null) {
            System.setProperty(LEAK_SAMPLING_PROPERTY, LEAK_SAMPLING_INTERVAL);
        }
    }

    private Caravan(Map<String, String> properties, PropertiesFile propertiesFile, boolean validateOnly) {
        classLoader = LibFolder.resolve(properties, propertiesFile).loader(Caravan.class.getClassLoader());
        main = new CaravanMain(Caravan.class, classLoader);
        main.setPropertyPlaceholderLocations("classpath:application.properties;optional=true,"
                + propertiesFile.location());
        // bodies are stream handles that must never be read into a cache; skipping the attempt also saves time
        main.configure().setStreamCachingEnabled(false);
        // one line for Camel's own start and stop; Caravan logs what it serves
        main.configure().setStartupSummaryLevel(StartupSummaryLevel.Oneline);
        properties.forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new ProxyRouteTemplate());
        lifecycle = new CaravanLifecycle(propertiesFile, Map.copyOf(properties), validateOnly);
        main.addMainListener(lifecycle);
    }

    public static void main(String[] args) throws Exception {
        sampleLeaksRarely();
        useLoggingFileOfWorkingDirectory();
        Logger log = LoggerFactory.getLogger(Caravan.class);
        Map<String, String> properties = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        boolean validate = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            if (arg.equals("--validate")) {
                validate = true;
                if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                    properties.put("caravan.routes.dir", args[++i]);
                }
            } else if (arg.startsWith("--") && eq > 2) {
                properties.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else {
                rest.add(arg);
            }
        }
        Caravan caravan;
        try {
            caravan = new Caravan(properties, new PropertiesFile(PROPERTIES_FILE), validate);
        } catch (RuntimeException e) {
            log.error("Caravan did not start: {}", StartupException.describe(e));
            System.exit(1);
            return;
        }
        // threads made from here on (Camel's, the route reloader, the I/O threads) see the lib/ jars too
        Thread.currentThread().setContextClassLoader(caravan.classLoader);
        caravan.main.parseArguments(rest.toArray(String[]::new));
        if (validate) {
            System.exit(caravan.validate(log));
        }
        try {
            caravan.start();
        } catch (RuntimeException e) {
            // one line naming the cause; start() already released what it had started
            log.error("Caravan did not start: {}", StartupException.describe(e));
            System.exit(1);
        }
        java.util.concurrent.CountDownLatch stopped = exitWithCodeAfterStop(caravan);
        caravan.main.getShutdownStrategy().await();
        caravan.stop();
        stopped.countDown();
        System.exit(caravan.main.getExitCode());
    }

    /**
     * Observe (shutdown): on SIGTERM the JVM ends with status 143 once its shutdown hooks return, even after a clean
     * drain. This hook waits for the graceful stop (at most a minute, like Camel's own hook) and then ends the process
     * with Caravan's exit code, 0 for a clean stop, as container runtimes and service managers expect.
     */
    private static java.util.concurrent.CountDownLatch exitWithCodeAfterStop(Caravan caravan) {
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (stopped.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    int code = caravan.main.getExitCode();
                    Runtime.getRuntime().halt(code < 0 ? 0 : code);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "caravan-exit"));
        return stopped;
    }

    /** Uses {@code ./logback.xml} when there is one and no configuration file was named explicitly. */
    private static void useLoggingFileOfWorkingDirectory() {
        if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(LOGGING_FILE)) {
            System.setProperty("logback.configurationFile", LOGGING_FILE.toAbsolutePath().toString());
        }
    }

    /** Starts without blocking (tests, embedding); throws if a route file is invalid or a listener cannot bind. */
    public Caravan start() {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // the threads Camel and Caravan make while starting inherit it: they see the lib/ jars
        thread.setContextClassLoader(classLoader);
        try {
            main.start();
            lifecycle.afterStart(main);
        } catch (RuntimeException e) {
            abandon();
            throw e;
        } finally {
            thread.setContextClassLoader(before);
        }
        return this;
    }

    /** {@code --validate}: checks settings, certificates and the route folder, binds nothing; returns the exit code. */
    private int validate(Logger log) {
        try {
            main.start();
            log.info("Valid: {}", lifecycle.server().validateRoutes());
            return 0;
        } catch (RouteFileException e) {
            log.error("Invalid: {}", e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            log.error("Invalid: {}", StartupException.describe(e));
            return 1;
        } finally {
            abandon();
        }
    }

    /** After a failed start: release what started, quietly, and keep camel-main's shutdown hook from waiting. */
    private void abandon() {
        main.getShutdownStrategy().shutdown();
        try {
            stop();
        } catch (RuntimeException ignored) {
            // the start failure is what matters; this one only follows from it
        }
    }

    /** The same graceful stop as on SIGTERM: drain the listeners, stop the routes, close the pools. */
    public void stop() {
        lifecycle.beforeStop(main);
        main.stop();
        lifecycle.afterStop(main);
        if (classLoader instanceof java.net.URLClassLoader lib) {
            try {
                lib.close();
            } catch (java.io.IOException e) {
                LoggerFactory.getLogger(Caravan.class).debug("Closing the lib/ class loader: {}", e.toString());
            }
        }
    }

    public CaravanServer server() {
        return lifecycle.server();
    }

    public org.apache.camel.CamelContext context() {
        return main.getCamelContext();
    }
}
