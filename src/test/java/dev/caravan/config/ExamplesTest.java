package dev.caravan.config;

import dev.caravan.testing.DemoPorts;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML files the README and docs show, loaded as they are and exercised over real sockets. */
class ExamplesTest {

    @TempDir
    Path temp;

    private static RawHttp.Response send(RunningGateway gateway, String method, String target, String host,
                                         String... headers) throws Exception {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host
                + "\r\nUser-Agent: examples-test\r\nContent-Length: 0\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    @Test
    void fullRoutesExampleRoutesByHostPathHeaderAndMethod() throws Exception {
        Map<String, TestBackend> backends = new LinkedHashMap<>();
        Map<String, String> properties = new HashMap<>();
        for (String name : List.of("shop", "admin", "static", "canary", "primary", "replica1", "replica2")) {
            TestBackend backend = TestBackend.start(name);
            backends.put(name, backend);
            properties.put(name + ".backend", backend.url());
        }
        try (RunningGateway gateway = RunningGateway.startWithCopies(temp, properties,
                Path.of("docs/examples/gateway-routes.yaml"))) {
            assertEquals("shop", send(gateway, "GET", "/x", "shop.example.com").echoed("backend"));
            assertEquals("admin", send(gateway, "GET", "/x", "ADMIN.example.com:8080").echoed("backend"));
            assertEquals("static", send(gateway, "GET", "/logo.png", "img.static.example.com").echoed("backend"));
            assertEquals(404, send(gateway, "GET", "/logo.png", "static.example.com").status());

            RawHttp.Response redirect = send(gateway, "GET", "/old-docs", "www.example.com");
            assertEquals(301, redirect.status());
            assertEquals("/docs/", redirect.header("Location"));
            assertNull(redirect.header("User-Agent"), "request header reflected into a gateway-made response");

            RawHttp.Response canary = send(gateway, "GET", "/api/items?x=1", "www.example.com", "X-Canary: always");
            assertEquals("canary", canary.echoed("backend"));
            assertEquals("/items?x=1", canary.echoed("target"));
            assertEquals("primary", send(gateway, "POST", "/api/items", "www.example.com").echoed("backend"));
            assertEquals("primary", send(gateway, "DELETE", "/api/items/1", "www.example.com").echoed("backend"));

            Set<String> readers = new TreeSet<>();
            for (int i = 0; i < 4; i++) {
                readers.add(send(gateway, "GET", "/api/items", "www.example.com").echoed("backend"));
            }
            assertEquals(Set.of("replica1", "replica2"), readers);

            RawHttp.Response nothing = send(gateway, "GET", "/unknown", "www.example.com");
            assertEquals(404, nothing.status());
            assertEquals("nothing here\n", nothing.bodyText());
            assertEquals("text/plain", nothing.header("Content-Type"));
            assertNull(nothing.header("User-Agent"));
        } finally {
            backends.values().forEach(TestBackend::close);
        }
    }

    @Test
    void templateExampleProxiesAPrefixRoundRobin() throws Exception {
        try (TestBackend b1 = TestBackend.start("b1"); TestBackend b2 = TestBackend.start("b2");
             RunningGateway gateway = RunningGateway.startWithCopies(temp,
                     Map.of("api.backends", b1.url() + "," + b2.url()), Path.of("docs/examples/proxy-template.yaml"))) {
            RawHttp.Response first = send(gateway, "GET", "/api/users?id=7", "api.test");
            RawHttp.Response second = send(gateway, "GET", "/api/users?id=7", "api.test");
            assertEquals(Set.of("b1", "b2"), Set.of(first.echoed("backend"), second.echoed("backend")));
            assertEquals("/users?id=7", first.echoed("target"));
            assertEquals(404, send(gateway, "GET", "/apix", "api.test").status());
            assertEquals(404, send(gateway, "GET", "/", "api.test").status());
        }
    }

    @Test
    void sharedConfigurationExampleReachesRoutesOfOtherFiles() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.startWithCopies(temp, Map.of("api.backends", backend.url()),
                     Path.of("docs/examples/proxy-template.yaml"), Path.of("docs/examples/shared-configuration.yaml"))) {
            assertEquals("caravan", send(gateway, "GET", "/api/x", "api.test").echoedHeader("X-Gateway"));
        }
    }

    @Test
    void defaultConfigurationAnswersFromBothDemoBackends() throws Exception {
        try (DemoPorts.Started started = DemoPorts.start(withEmptyCertificateFolder(Map.of()),
                properties -> RunningGateway.start(Path.of("routes"), properties))) {
            RunningGateway gateway = started.gateway();
            String first = send(gateway, "GET", "/hello", "localhost").bodyText();
            String second = send(gateway, "GET", "/hello", "localhost").bodyText();
            assertEquals(Set.of("hello from demo backend 1: GET /hello\n", "hello from demo backend 2: GET /hello\n"),
                    Set.of(first, second));
            try (dev.caravan.testing.TlsClient tls = dev.caravan.testing.TlsClient.connect(gateway.httpsPort(), "localhost")) {
                assertTrue(tls.get("/tls", "localhost").body().startsWith("hello from demo backend"));
                assertTrue(tls.servedCertificate().getSubjectX500Principal().getName().contains("CN=localhost"));
            }
        }
    }

    @Test
    void tlsExampleServesItsRouteOverTls() throws Exception {
        try (TestBackend backend = TestBackend.start("secure");
             RunningGateway gateway = RunningGateway.startWithCopies(temp,
                     withEmptyCertificateFolder(Map.of("secure.backend", backend.url())),
                     Path.of("docs/examples/tls-route.yaml"));
             dev.caravan.testing.TlsClient tls = dev.caravan.testing.TlsClient.connect(gateway.httpsPort(), "localhost")) {
            dev.caravan.testing.TlsClient.Response response = tls.get("/x", "localhost");
            assertEquals(200, response.status());
            assertEquals("https", response.echoedHeader("X-Forwarded-Proto"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/tls.md"})
    void everyYamlBlockInTheDocsIsAFileTheTestsLoad(String doc) throws Exception {
        String readme = java.nio.file.Files.readString(Path.of(doc));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("```yaml\\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(readme);
        int blocks = 0;
        while (block.find()) {
            blocks++;
            String yaml = block.group(1);
            boolean found = false;
            for (Path file : exampleFiles()) {
                found |= java.nio.file.Files.readString(file).equals(yaml);
            }
            assertTrue(found, "README YAML block is not one of the tested files:\n" + yaml);
        }
        assertTrue(blocks > 0);
    }

    /**
     * The Java, properties and XML the README shows are files under {@code docs/examples/} too: the Java ones are
     * compiled with the tests (a test source folder) and run by the embedding tests, the others read by tests.
     */
    @Test
    void everyJavaPropertiesAndXmlBlockInTheReadmeIsAnExampleFile() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("README.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("```(java|properties|xml)\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(readme);
        List<String> examples = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(Path.of("docs/examples"))) {
            for (Path file : (Iterable<Path>) files.filter(java.nio.file.Files::isRegularFile)::iterator) {
                examples.add(java.nio.file.Files.readString(file));
            }
        }
        int blocks = 0;
        while (block.find()) {
            blocks++;
            assertTrue(examples.contains(block.group(2)), "README " + block.group(1)
                    + " block is not a file under docs/examples:\n" + block.group(2));
        }
        assertTrue(blocks >= 5, blocks + " blocks");
    }

    /** The README's Maven dependency is this build's coordinates. */
    @Test
    void theDependencySnippetNamesThisBuild() throws Exception {
        String snippet = java.nio.file.Files.readString(Path.of("docs/examples/dependency.xml"));
        String pom = java.nio.file.Files.readString(Path.of("pom.xml"));
        for (String element : List.of("groupId", "artifactId", "version")) {
            java.util.regex.Matcher own = java.util.regex.Pattern.compile("\\n  <" + element + ">([^<]+)<").matcher(pom);
            assertTrue(own.find(), element);
            assertTrue(snippet.contains("<" + element + ">" + own.group(1) + "</" + element + ">"),
                    element + " " + own.group(1) + " not in " + snippet);
        }
    }

    /** Every YAML file the docs may show: the examples and the bundled routes. */
    private static List<Path> exampleFiles() throws java.io.IOException {
        List<Path> files = new java.util.ArrayList<>();
        for (String dir : List.of("docs/examples", "routes")) {
            try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(Path.of(dir))) {
                list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    /** An example no test loads could say anything: each one is named by a test's source. */
    @Test
    void everyExampleFileIsLoadedByATest() throws Exception {
        StringBuilder sources = new StringBuilder();
        try (java.util.stream.Stream<Path> tests = java.nio.file.Files.walk(Path.of("src/test/java"))) {
            for (Path test : (Iterable<Path>) tests.filter(p -> p.toString().endsWith(".java"))::iterator) {
                sources.append(java.nio.file.Files.readString(test));
            }
        }
        for (Path example : exampleFiles()) {
            String name = example.toString().replace('\\', '/');
            assertTrue(sources.indexOf('"' + name + '"') >= 0 || name.startsWith("routes/"),
                    name + " is not loaded by any test");
        }
        // properties and XML examples are named by the test that reads them (as a path or a Spring location)
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("docs/examples"))) {
            for (Path example : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".properties")
                    || p.toString().endsWith(".xml"))::iterator) {
                String name = example.toString().replace('\\', '/');
                assertTrue(sources.indexOf(name + '"') >= 0, name + " is not read by any test");
            }
        }
    }

    /** The default config, but with a certificate folder of its own, so a developer's certs/ does not matter. */
    private Map<String, String> withEmptyCertificateFolder(Map<String, String> properties) throws Exception {
        Map<String, String> all = new HashMap<>(properties);
        all.put("caravan.tls.certs", java.nio.file.Files.createDirectories(temp.resolve("no-certs")).toString());
        return all;
    }

    @Test
    void aRouteFileWithAnErrorStopsTheStartWithFileAndLine() throws Exception {
        Path dir = temp.resolve("bad");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("broken.yaml"), """
                - route:
                    id: broken
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:1?noSuchOption=1"
                """);
        IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RunningGateway.start(dir, Map.of()));
        assertTrue(failure.getMessage().contains("broken.yaml:6"), failure.getMessage());
        assertTrue(failure.getMessage().contains("noSuchOption"), failure.getMessage());
    }
}
