package dev.caravan.server;

import dev.caravan.testing.BoundPorts;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code package} makes, run as users run it (failsafe, after {@code package}, in {@code mvn verify}):
 * {@code java -jar target/caravan.jar} with a real extra Camel component (camel-jackson, which the jar does not
 * ship; Maven copies it to {@code target/test-lib} at build time) in its {@code lib/} folder; the same jar as a plain
 * camel-main application; the thin library jar beside it; and the jar on the Java of the container image.
 */
class StandaloneJarIT {

    private static final Path STANDALONE = Path.of(System.getProperty("caravan.standaloneJar", "target/caravan.jar"));
    private static final Path THIN = Path.of(System.getProperty("caravan.thinJar",
            "target/caravan-0.1.0-SNAPSHOT.jar"));
    private static final Path TEST_LIB = Path.of(System.getProperty("caravan.testLib", "target/test-lib"));

    @TempDir
    Path temp;

    @Test
    void aComponentInLibIsUsedByARoute() throws Exception {
        Path lib = Files.createDirectories(temp.resolve("lib"));
        try (Stream<Path> jars = Files.list(TEST_LIB)) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
        }
        routesWithTheExample();
        try (Forked caravan = Forked.start(temp, List.of("-jar", STANDALONE.toAbsolutePath().toString(),
                "--caravan.http.host=127.0.0.1", "--caravan.http.port=0", "--caravan.https.port=0",
                "--caravan.admin.port=0", "--caravan.routes.reload=false"))) {
            try (RawHttp http = new RawHttp(caravan.port())) {
                RawHttp.Response status = http.exchange("GET /status HTTP/1.1\r\nHost: gw\r\n\r\n");
                assertEquals(200, status.status(), status.bodyText());
                assertEquals("application/json", status.header("Content-Type"));
                assertEquals("{\"client\":\"127.0.0.1\",\"method\":\"GET\"}", status.bodyText());
            }
            assertTrue(caravan.output().contains("Adding 1 jar(s) from lib: camel-jackson-"), caravan.output());
        }
    }

    @Test
    void withoutTheComponentTheRouteFileStopsTheStart() throws Exception {
        routesWithTheExample();
        Forked.Result result = Forked.run(temp, List.of("-jar", STANDALONE.toAbsolutePath().toString(),
                "--caravan.http.host=127.0.0.1", "--caravan.http.port=0", "--caravan.https.enabled=false"));
        assertEquals(1, result.exitCode(), result.output());
        List<String> errors = result.output().lines().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(1, errors.size(), result.output());
        assertTrue(errors.get(0).contains("Caravan did not start: routes/status.yaml:10: Data format 'jackson' "
                + "could not be created"), errors.get(0));
    }

    @Test
    void aLibFolderThatIsNotThereIsNamed() throws Exception {
        Forked.Result result = Forked.run(temp, List.of("-jar", STANDALONE.toAbsolutePath().toString(),
                "--caravan.lib=components", "--caravan.https.enabled=false"));
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("Caravan did not start: caravan.lib: no folder "
                + temp.resolve("components")), result.output());
    }

    @Test
    void theStandaloneJarRunsAsPlainCamelMain() throws Exception {
        try (TestBackend backend = TestBackend.start("orders");
             Forked camel = Forked.start(temp, List.of("-Dcaravan.http.host=127.0.0.1",
                     "-Dcaravan.http.port=0", "-Dorders.backend=" + backend.url(),
                     "-Dcamel.main.routesIncludePattern=file:"
                             + Path.of("docs/examples/embedded-gateway.yaml").toAbsolutePath(),
                     "-cp", STANDALONE.toAbsolutePath().toString(), "org.apache.camel.main.Main"));
             RawHttp http = new RawHttp(camel.port())) {
            RawHttp.Response response = http.exchange("GET /orders/1 HTTP/1.1\r\nHost: shop\r\n\r\n");
            assertEquals(200, response.status(), camel.output());
            assertEquals("orders", response.echoed("backend"));
        }
    }

    @Test
    void theLibraryJarIsThinAndNeitherJarChangesEveryContext() throws Exception {
        try (JarFile thin = new JarFile(THIN.toFile()); JarFile standalone = new JarFile(STANDALONE.toFile())) {
            assertNotNull(thin.getEntry("dev/caravan/server/CaravanServer.class"));
            assertNotNull(thin.getEntry("META-INF/services/org/apache/camel/component/caravan"));
            assertNotNull(thin.getEntry("META-INF/services/org/apache/camel/component/caravan-forward"));
            assertNull(thin.getEntry("io/netty/channel/Channel.class"), "dependencies belong in the POM");
            assertNull(thin.getEntry("org/apache/camel/main/Main.class"));
            assertNull(thin.getEntry("logback.xml"), "an application's logging configuration is its own");
            assertNotNull(standalone.getEntry("io/netty/channel/Channel.class"));
            assertNotNull(standalone.getEntry("org/apache/camel/main/Main.class"));
            assertNotNull(standalone.getEntry("logback.xml"));
            for (JarFile jar : List.of(thin, standalone)) {
                assertNull(jar.getEntry("META-INF/services/org/apache/camel/headers-map-factory"), jar.getName());
            }
            assertTrue(Files.size(THIN) < 2_000_000, "thin jar " + Files.size(THIN));
        }
    }

    /**
     * The jar on the Java version the Dockerfile's run stage names, with its {@code ENTRYPOINT}'s JVM flags: it proxies
     * a request (a native transport, io_uring or epoll, and BoringSSL load) and the JVM prints no warning. Skipped where no JDK of that version is
     * installed ({@code /usr/lib/jvm/*-<version>-*}, or {@code -Dcaravan.imageJava=<path of its java>}).
     */
    @Test
    void theJarRunsOnTheImagesJavaWithTheImagesFlagsAndNoJvmWarning() throws Exception {
        String dockerfile = Files.readString(Path.of("docker/Dockerfile"));
        Matcher from = Pattern.compile("(?m)^FROM eclipse-temurin:(\\d+)-jre").matcher(dockerfile);
        assertTrue(from.find(), "the run stage's image");
        Path java = imageJava(from.group(1));
        assumeTrue(java != null, "no Java " + from.group(1) + " on this machine");
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[\"java\", (.*), \"-jar\"").matcher(dockerfile);
        assertTrue(entrypoint.find(), "the ENTRYPOINT's JVM flags");
        List<String> arguments = new ArrayList<>(Arrays.stream(entrypoint.group(1).split(",\\s*"))
                .map(flag -> flag.replace("\"", "")).toList());
        try (TestBackend backend = TestBackend.start("image")) {
            Files.writeString(Files.createDirectories(temp.resolve("routes")).resolve("proxy.yaml"), """
                    - templatedRoute:
                        routeTemplateRef: caravan-proxy
                        parameters:
                          - name: backends
                            value: "%s"
                    """.formatted(backend.url()));
            arguments.addAll(List.of("-jar", STANDALONE.toAbsolutePath().toString(), "--caravan.http.host=127.0.0.1",
                    "--caravan.http.port=0", "--caravan.https.host=127.0.0.1", "--caravan.https.port=0",
                    "--caravan.admin.port=0", "--caravan.routes.reload=false"));
            try (Forked caravan = Forked.start(java, temp, arguments); RawHttp http = new RawHttp(caravan.port())) {
                RawHttp.Response response = http.exchange("GET /orders HTTP/1.1\r\nHost: shop\r\n\r\n");
                assertEquals(200, response.status(), caravan.output());
                assertEquals("image", response.echoed("backend"));
                assertTrue(caravan.output().matches("(?s).*threads \\((io_uring|epoll)\\).*"), caravan.output());
                assertTrue(caravan.output().contains("(netty-tcnative) serves"), caravan.output());
                assertEquals(List.of(), caravan.output().lines().filter(l -> l.startsWith("WARNING")).toList(),
                        caravan.output());
            }
        }
    }

    private static Path imageJava(String version) throws IOException {
        String given = System.getProperty("caravan.imageJava");
        if (given != null) {
            return Path.of(given);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> installed = Files.list(jvms)) {
            return installed.filter(home -> home.getFileName().toString().matches(".*-" + version + "(-.*|\\..*)?"))
                    .map(home -> home.resolve("bin/java")).filter(Files::isExecutable).findFirst().orElse(null);
        }
    }

    /** The documented lib/ example as the gateway's only route file. */
    private Path routesWithTheExample() throws IOException {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/lib-json-status.yaml"), routes.resolve("status.yaml"));
        return routes;
    }

    /** A JVM of its own in a working directory, with its output in a file there. */
    private static final class Forked implements AutoCloseable {

        record Result(int exitCode, String output) {
        }

        private static final Path THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

        private final Process process;
        private final Path log;
        private int port;

        private Forked(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        private static Forked launch(Path java, Path workDir, List<String> arguments) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            command.add("-Xmx128m");
            command.addAll(arguments);
            Path log = Files.createTempFile(workDir, "jvm", ".log");
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new Forked(process, log);
        }

        /** Starts and waits (60 s at most) until its http listener accepts (on the port 0 it was given). */
        static Forked start(Path workDir, List<String> arguments) throws Exception {
            return start(THIS_JAVA, workDir, arguments);
        }

        /** The same on another JVM. */
        static Forked start(Path java, Path workDir, List<String> arguments) throws Exception {
            Forked forked = launch(java, workDir, arguments);
            try {
                forked.port = new BoundPorts(forked.process, forked.log, Duration.ofSeconds(60)).listener("http");
            } catch (IllegalStateException notStarted) {
                forked.close();
                throw new AssertionError(notStarted.getMessage());
            }
            return forked;
        }

        /** Runs until it exits (60 s at most). */
        static Result run(Path workDir, List<String> arguments) throws Exception {
            Forked forked = launch(THIS_JAVA, workDir, arguments);
            if (!forked.process.waitFor(60, TimeUnit.SECONDS)) {
                forked.close();
                throw new AssertionError("did not exit within 60 s:\n" + forked.output());
            }
            return new Result(forked.process.exitValue(), forked.output());
        }

        /** The http listener's port. */
        int port() {
            return port;
        }

        String output() throws IOException {
            return Files.readString(log);
        }

        /** SIGTERM, as a container stop would send; then it must exit on its own. */
        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("did not stop within 30 s of SIGTERM:\n" + output());
            }
            assertFalse(process.isAlive());
        }
    }
}
