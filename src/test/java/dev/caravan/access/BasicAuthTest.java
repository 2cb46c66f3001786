package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.caravan.access.AccessHttp.eventually;
import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caravan-basic (docs/examples/access-basic.yaml): bcrypt users from an htpasswd file that is re-read when it changes,
 * 401 with the challenge, the verified user to the backend, the password not.
 */
class BasicAuthTest {

    @TempDir
    static Path temp;
    private static Path users;
    private static TestBackend backend;
    private static RunningGateway gateway;

    static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    static String bcrypt(String password) {
        return BCrypt.hashpw(password, BCrypt.gensalt(5));
    }

    @BeforeAll
    static void start() throws Exception {
        users = temp.resolve("htpasswd");
        String yHash = "$2y" + bcrypt("y-secret").substring(3); // what htpasswd -B writes
        Files.writeString(users, "# admins\nalice:" + bcrypt("wonderland") + "\ncarol:" + yHash + "\n"
                + "jos\u00e9:" + bcrypt("p\u00e4ss") + "\n");
        backend = TestBackend.start("admin");
        gateway = RunningGateway.startWithCopies(temp, Map.of("app.backend", backend.url(), "admin.users",
                users.toString()), Path.of("docs/examples/access-basic.yaml"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void theRightPasswordLetsTheRequestOnWithTheUserAndWithoutThePassword() throws Exception {
        RawHttp.Response response = get(gateway, "/admin/x", basic("alice", "wonderland"), "X-User: admin",
                "x_user: admin");
        assertEquals(200, response.status());
        assertEquals(List.of("header X-User: alice"), response.bodyText().lines()
                .filter(l -> l.toLowerCase().matches("header x[-_]user:.*")).toList());
        assertNull(response.echoedHeader("Authorization"), "the password stops at the gateway");
        // the same credentials again: remembered, same answer
        assertEquals("alice", get(gateway, "/admin/x", basic("alice", "wonderland")).echoedHeader("X-User"));
        assertEquals(200, get(gateway, "/admin/x", basic("carol", "y-secret")).status(), "$2y$ hashes");
        assertEquals(200, get(gateway, "/admin/x", basic("jos\u00e9", "p\u00e4ss")).status(), "UTF-8 credentials");
    }

    @Test
    void wrongMissingOrMalformedCredentialsGet401WithTheChallengeAndNoBackendHit() throws Exception {
        backend.requests().clear();
        List<String[]> attempts = List.of(
                new String[] {"/admin/none"},
                new String[] {"/admin/wrong", basic("alice", "Wonderland")},
                new String[] {"/admin/unknown", basic("mallory", "wonderland")},
                new String[] {"/admin/empty-user", basic("", "wonderland")},
                new String[] {"/admin/long", basic("alice", "wonderland" + "x".repeat(100))},
                new String[] {"/admin/garbage", "Authorization: Basic %%%not-base64"},
                new String[] {"/admin/bearer", "Authorization: Bearer abc"},
                new String[] {"/admin/twice", basic("alice", "wonderland"), basic("alice", "wonderland")});
        for (String[] attempt : attempts) {
            RawHttp.Response response = get(gateway, attempt[0], java.util.Arrays.copyOfRange(attempt, 1,
                    attempt.length));
            assertEquals(401, response.status(), attempt[0]);
            assertEquals("Basic realm=\"Administration\", charset=\"UTF-8\"", response.header("WWW-Authenticate"));
        }
        get(gateway, "/admin/sentinel", basic("alice", "wonderland"));
        assertEquals(List.of("/admin/sentinel"), targets(backend));
    }

    @Test
    void anUnknownUserCostsTheSameBcryptWorkAsAKnownOne() throws Exception {
        byte[] file = ("cheap:" + BCrypt.hashpw("a", BCrypt.gensalt(4)) + "\ndear:"
                + BCrypt.hashpw("b", BCrypt.gensalt(9)) + "\n").getBytes(StandardCharsets.UTF_8);
        HtpasswdUsers parsed = HtpasswdUsers.parse(Path.of("htpasswd"), file);
        assertEquals(9, parsed.unknownUserCost(), "an unknown user is checked against the costliest hash's cost");
        assertEquals(false, parsed.verify("nobody", "b"));
        assertEquals(true, parsed.verify("dear", "b"));
    }

    @Test
    void onlyBcryptHashesAreAcceptedAndABrokenLineIsNamed() {
        FileFormatException md5 = assertThrows(FileFormatException.class, () -> HtpasswdUsers.parse(Path.of("users"),
                "ok:$2y$05$abcdefghijklmnopqrstuu5Ck9AUnIPWVCwbMfjDsaEVexTlf6yCu\nold:$apr1$xyz$abc\n"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("users:2: the hash of 'old' is not bcrypt ($2y$, $2b$ or $2a$, as htpasswd -B writes); other"
                + " kinds are not accepted", md5.getMessage());
    }

    @Test
    void theUsersFileIsReReadWhenItChanges() throws Exception {
        Path file = temp.resolve("reloading-htpasswd");
        Files.writeString(file, "alice:" + bcrypt("one") + "\n");
        Path dir = Files.createDirectories(temp.resolve("reload-routes"));
        Files.writeString(dir.resolve("basic.yaml"), """
                - route:
                    id: reloading
                    from:
                      uri: caravan:http
                      parameters:
                        path: /r
                      steps:
                        - to: "caravan-basic:team?users=%s&reloadInterval=100&userHeader=X-User"
                        # the route goes on on its event loop after the check, which ran on other threads
                        - setHeader:
                            name: X-On-Event-Loop
                            simple: "${exchangeProperty.CaravanExchange.eventLoop().inEventLoop()}"
                        - to: "caravan-forward:%s"
                """.formatted(file, backend.url()));
        try (RunningGateway reloading = RunningGateway.start(dir, Map.of())) {
            RawHttp.Response alice = get(reloading, "/r", basic("alice", "one"));
            assertEquals(200, alice.status());
            assertEquals("true", alice.echoedHeader("X-On-Event-Loop"));
            assertEquals(401, get(reloading, "/r", basic("bob", "two")).status());

            Files.writeString(file, "bob:" + bcrypt("two") + "\n");
            eventually("bob is let on", () -> get(reloading, "/r", basic("bob", "two")).status() == 200);
            assertEquals(401, get(reloading, "/r", basic("alice", "one")).status(),
                    "a removed user stops working, however recently checked");
        }
    }

    @Test
    void aMissingUsersFileFailsTheRouteFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("basic.yaml"), """
                - route:
                    id: missing
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-basic:team?users=/no/such/htpasswd"
                        - to: "caravan-forward:http://127.0.0.1:1"
                """);
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> RunningGateway.start(dir,
                Map.of()));
        assertTrue(failure.getMessage().contains("basic.yaml:6: /no/such/htpasswd: no such file"), failure.getMessage());
    }
}
