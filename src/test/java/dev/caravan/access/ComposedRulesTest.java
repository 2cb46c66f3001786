package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.targets;
import static dev.caravan.access.BasicAuthTest.basic;
import static dev.caravan.access.BasicAuthTest.bcrypt;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rules compose in the order written (docs/examples/access-composed.yaml): the first that says no answers, the ones
 * after it do not run, and only a request every rule lets on reaches the backend.
 */
class ComposedRulesTest {

    @TempDir
    Path temp;

    @Test
    void theFirstRuleThatSaysNoAnswersAndNothingElseRuns() throws Exception {
        Path users = Files.writeString(temp.resolve("htpasswd"), "ann:" + bcrypt("pw") + "\n");
        Path keys = Files.writeString(temp.resolve("keys.txt"), ApiKeyTest.sha256("k-1") + " reporting-tool\n");
        try (TestBackend backend = TestBackend.start("reports");
             RunningGateway gateway = RunningGateway.startWithCopies(temp, Map.of("app.backend", backend.url(),
                     "geoip.database", GeoTest.COUNTRY_DB.toString(), "reports.users", users.toString(),
                     "reports.keys", keys.toString(), "caravan.trustedProxies", "127.0.0.1"),
                     Path.of("docs/examples/access-composed.yaml"))) {
            String gb = "X-Forwarded-For: 81.2.69.142";
            String key = "X-Api-Key: k-1";
            RawHttp.Response ip = get(gateway, "/reports/1", "X-Forwarded-For: 192.0.2.5", basic("ann", "pw"), key);
            assertEquals(403, ip.status(), "the IP rule, before anything else");
            RawHttp.Response geo = get(gateway, "/reports/2", "X-Forwarded-For: 111.235.160.1");
            assertEquals(403, geo.status(), "the country rule, before authentication asks for anything");
            RawHttp.Response noUser = get(gateway, "/reports/3", gb);
            assertEquals(401, noUser.status());
            assertEquals("Basic realm=\"reports\", charset=\"UTF-8\"", noUser.header("WWW-Authenticate"),
                    "Basic answers; the API key step never ran");
            RawHttp.Response noKey = get(gateway, "/reports/4", gb, basic("ann", "pw"));
            assertEquals(401, noKey.status());
            assertEquals("ApiKey realm=\"reports\"", noKey.header("WWW-Authenticate"));
            RawHttp.Response through = get(gateway, "/reports/5", gb, basic("ann", "pw"), key, "X-User: root",
                    "X-Client: forged");
            assertEquals(200, through.status());
            assertEquals("ann", through.echoedHeader("X-User"));
            assertEquals("reporting-tool", through.echoedHeader("X-Client"));
            assertEquals(List.of("/reports/5"), targets(backend), "only the request every rule let on");
        }
    }
}
