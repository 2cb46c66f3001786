package dev.caravan.access;

import dev.caravan.testing.CapturedLog;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.caravan.access.AccessHttp.eventually;
import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * caravan-apikey (docs/examples/access-apikey.yaml): keys in a header or a query parameter, hashed in a file that is
 * re-read when it changes; the key never reaches the backend, its label does; 401 without a backend hit.
 */
class ApiKeyTest {

    @TempDir
    static Path temp;
    private static Path keys;
    private static TestBackend backend;
    private static RunningGateway gateway;

    static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    @BeforeAll
    static void start() throws Exception {
        keys = temp.resolve("keys.txt");
        Files.writeString(keys, "# partner keys\n" + sha256("alpha-key-1") + " partner-a\n\n" + sha256("beta-key-2")
                + "\n");
        backend = TestBackend.start("partners");
        gateway = RunningGateway.startWithCopies(temp, Map.of("app.backend", backend.url(), "partners.keys",
                keys.toString()), Path.of("docs/examples/access-apikey.yaml"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void aKeyInTheHeaderLetsTheRequestOnAndNeverReachesTheBackend() throws Exception {
        RawHttp.Response response = get(gateway, "/partners/items", "X-Api-Key: alpha-key-1", "X-Partner: admin",
                "X_Partner: admin");
        assertEquals(200, response.status());
        assertNull(response.echoedHeader("X-Api-Key"));
        assertEquals(List.of("header X-Partner: partner-a"), response.bodyText().lines()
                .filter(l -> l.toLowerCase().startsWith("header x-partner") || l.toLowerCase().startsWith("header x_partner"))
                .toList(), "the label, and no copy the client sent");
        RawHttp.Response unlabelled = get(gateway, "/partners/items", "X-Api-Key: beta-key-2");
        assertEquals(sha256("beta-key-2").substring(0, 12), unlabelled.echoedHeader("X-Partner"));
    }

    @Test
    void aKeyInTheQueryIsCutOutOfTheTargetAndEverythingElseKept() throws Exception {
        RawHttp.Response response = get(gateway, "/partners/items?a=1&api_key=alpha-key-1&b=%2F+x&api_key=again");
        assertEquals(200, response.status());
        assertEquals("/partners/items?a=1&b=%2F+x", response.echoed("target"));
        RawHttp.Response only = get(gateway, "/partners/items?api_key=alpha%2Dkey%2D1");
        assertEquals(200, only.status(), "a percent-encoded key is decoded");
        assertEquals("/partners/items", only.echoed("target"));
        assertEquals("partner-a", only.echoedHeader("X-Partner"));
    }

    @Test
    void missingOrWrongKeysGet401WithoutABackendHit() throws Exception {
        backend.requests().clear();
        List<String[]> attempts = List.of(
                new String[] {"/partners/none"},
                new String[] {"/partners/wrong", "X-Api-Key: alpha-key-2"},
                new String[] {"/partners/hash", "X-Api-Key: " + sha256("alpha-key-1")},
                new String[] {"/partners/twice", "X-Api-Key: alpha-key-1", "X-Api-Key: beta-key-2"},
                new String[] {"/partners/empty", "X-Api-Key: "},
                new String[] {"/partners/query?api_key=nope"},
                new String[] {"/partners/name?API_KEY=alpha-key-1"});
        for (String[] attempt : attempts) {
            String[] headers = java.util.Arrays.copyOfRange(attempt, 1, attempt.length);
            RawHttp.Response response = get(gateway, attempt[0], headers);
            assertEquals(401, response.status(), attempt[0]);
            assertEquals("ApiKey realm=\"partners\"", response.header("WWW-Authenticate"));
        }
        get(gateway, "/partners/sentinel", "X-Api-Key: beta-key-2");
        assertEquals(List.of("/partners/sentinel"), targets(backend));
    }

    @Test
    void theKeyFileIsReReadWhenItChangesAndABrokenOneIsRejected() throws Exception {
        Path file = temp.resolve("reloading-keys.txt");
        Files.writeString(file, sha256("old-key") + " old\n");
        Path dir = Files.createDirectories(temp.resolve("reload-routes"));
        Files.writeString(dir.resolve("keys.yaml"), """
                - route:
                    id: reloading
                    from:
                      uri: caravan:http
                      parameters:
                        path: /r
                      steps:
                        - to:
                            uri: caravan-apikey:reloading
                            parameters:
                              keys: "%s"
                              reloadInterval: 100
                              labelHeader: X-Client
                        - to: "caravan-forward:%s"
                """.formatted(file, backend.url()));
        try (RunningGateway reloading = RunningGateway.start(dir, Map.of());
             CapturedLog log = new CapturedLog()) {
            assertEquals(200, get(reloading, "/r", "X-Api-Key: old-key").status());
            assertEquals(401, get(reloading, "/r", "X-Api-Key: new-key").status());

            Files.writeString(file, sha256("new-key") + " new\n");
            eventually("the new key works", () -> get(reloading, "/r", "X-Api-Key: new-key").status() == 200);
            assertEquals(401, get(reloading, "/r", "X-Api-Key: old-key").status(), "the removed key stops working");

            Files.writeString(file, sha256("newer-key") + " newer\nnot-a-hash oops\n");
            eventually("the broken file is reported", () -> log.line("reloading-keys.txt:2") != null);
            String line = log.line("reloading-keys.txt:2");
            assertFalse(line.contains("not-a-hash"), "the line's text may be a key: never logged");
            assertNotNull(log.line("reloading-keys.txt:2", "the previous API keys stay in use"));
            RawHttp.Response still = get(reloading, "/r", "X-Api-Key: new-key");
            assertEquals(200, still.status(), "the previous keys stay");
            assertEquals("new", still.echoedHeader("X-Client"));
            assertEquals(401, get(reloading, "/r", "X-Api-Key: newer-key").status());
        }
    }
}
