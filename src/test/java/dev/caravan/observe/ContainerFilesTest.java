package dev.caravan.observe;

import dev.caravan.testing.DemoPorts;
import dev.caravan.testing.RunningGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be checked of the container files without a container engine (there is none on this machine): the
 * Dockerfile's stages, user, volumes, health check, and that its command runs the jar the build produces with the
 * files it copies; the compose file's services and mounts; and that the compose route folders start and proxy.
 */
class ContainerFilesTest {

    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");

    /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
    private static List<String> instructions() throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            out.add(current.toString().replaceAll("\\s+", " "));
            current.setLength(0);
        }
        return out;
    }

    private static List<String> runStage() throws IOException {
        List<String> all = instructions();
        int lastFrom = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        return all.subList(lastFrom, all.size());
    }

    @Test
    void multiStageWithAJreRunStageAndAnUnprivilegedUser() throws IOException {
        List<String> froms = instructions().stream().filter(i -> i.startsWith("FROM ")).toList();
        assertEquals(2, froms.size(), froms.toString());
        assertTrue(froms.get(0).matches("FROM maven:\\S+ AS build"), froms.get(0));
        assertTrue(instructions().stream().anyMatch(i -> i.startsWith("RUN mvn ") && i.contains(" package")));
        assertTrue(froms.get(1).matches("FROM eclipse-temurin:\\d+-jre\\S*"), "a JRE: " + froms.get(1));
        List<String> users = runStage().stream().filter(i -> i.startsWith("USER ")).toList();
        assertEquals(1, users.size());
        String user = users.get(0).substring(5).trim();
        assertFalse(user.equals("root") || user.equals("0") || user.startsWith("0:"), "runs as " + user);
    }

    @Test
    void routesAndCertificatesAreVolumesAndTheHealthCheckAsksReadiness() throws IOException {
        String volume = runStage().stream().filter(i -> i.startsWith("VOLUME ")).findFirst().orElseThrow();
        assertTrue(volume.contains("\"/caravan/routes\"") && volume.contains("\"/caravan/certs\""), volume);
        String health = runStage().stream().filter(i -> i.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
        assertTrue(health.contains("http://127.0.0.1:${CARAVAN_ADMIN_PORT:-9901}/health/ready"), health);
        assertTrue(health.contains("curl -f"), "fails on a 503: " + health);
        assertTrue(runStage().stream().anyMatch(i -> i.startsWith("EXPOSE ") && i.contains("9901")));
    }

    @Test
    void theCommandRunsTheJarTheBuildProducesWithTheFilesItCopies() throws IOException {
        List<String> run = runStage();
        String entrypoint = run.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        Matcher jar = Pattern.compile("\"-jar\", \"([^\"]+)\"").matcher(entrypoint);
        assertTrue(jar.find(), entrypoint);
        String jarInImage = jar.group(1);
        // the jar in the image is the one copied from the build stage, which is what the pom's shade plugin writes
        String copy = run.stream().filter(i -> i.startsWith("COPY --from=build ")).findFirst().orElseThrow();
        assertEquals("COPY --from=build /src/target/caravan.jar " + jarInImage, copy);
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<finalName>caravan</finalName>"), "shade writes target/caravan.jar");
        assertTrue(pom.contains("<mainClass>dev.caravan.Caravan</mainClass>"));
        // the configuration Caravan reads from its working directory is there, and so are the default routes
        String workdir = run.stream().filter(i -> i.startsWith("WORKDIR ")).findFirst().orElseThrow().substring(8);
        assertTrue(run.contains("COPY application.properties " + workdir + "/application.properties"), run.toString());
        assertTrue(run.contains("COPY routes " + workdir + "/routes"));
        assertTrue(Files.isRegularFile(Path.of("application.properties")) && Files.isDirectory(Path.of("routes")));
        assertTrue(instructions().contains("COPY pom.xml .") && instructions().contains("COPY src ./src"));
        assertTrue(Files.readString(Path.of("application.properties")).contains("caravan.routes.dir = routes"),
                "the image's routes folder is the one Caravan reads by default");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsTwoCaravansAndTheDemoBackendsFromThatImage() throws IOException {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().setAllowDuplicateKeys(false)
                .build()).loadFromString(Files.readString(Path.of("docker/compose.yaml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertEquals(List.of("backends", "caravan-1", "caravan-2"), List.copyOf(services.keySet()));
        for (String name : services.keySet()) {
            Map<String, Object> service = (Map<String, Object>) services.get(name);
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            assertEquals("docker/Dockerfile", build.get("dockerfile"), name);
            assertTrue(Files.isDirectory(Path.of("docker").resolve((String) build.get("context"))), name);
            for (Object volume : (List<Object>) service.get("volumes")) {
                String host = ((String) volume).split(":")[0];
                assertTrue(Files.exists(Path.of("docker").resolve(host)), name + " mounts " + host);
            }
        }
        Map<String, Object> one = (Map<String, Object>) services.get("caravan-1");
        Map<String, Object> two = (Map<String, Object>) services.get("caravan-2");
        assertNotEquals(one.get("ports"), two.get("ports"));
        assertTrue(((List<Object>) one.get("volumes")).contains("./routes:/caravan/routes:ro"));
    }

    @Test
    void theComposeRouteFoldersStartAndProxy(@TempDir Path temp) throws Exception {
        Map<String, String> demo = Map.of("demo.backends.bind", "127.0.0.1", "demo.backends.host", "127.0.0.1",
                "caravan.https.enabled", "false");
        try (DemoPorts.Started started = DemoPorts.start(demo,
                properties -> RunningGateway.start(Path.of("docker/demo-backends"), properties));
             RunningGateway gateway = RunningGateway.start(Path.of("docker/routes"), started.properties())) {
            RunningGateway backends = started.gateway();
            String first = gateway.get("/hello").bodyText();
            String second = gateway.get("/hello").bodyText();
            assertTrue(first.startsWith("hello from demo backend"), first);
            assertNotEquals(first, second, "round-robin over both demo backends");
            assertTrue(backends.get("/").status() == 404, "the backends container itself routes nothing on 8080");
        }
    }
}
