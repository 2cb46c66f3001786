package dev.caravan.access;

import dev.caravan.testing.CapturedLog;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.caravan.access.AccessHttp.eventually;
import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * caravan-geo (docs/examples/access-geo.yaml) with MaxMind's test databases: allow- and deny-lists by ISO country, the
 * default for addresses without a country, the country to the backend, and the database re-read when it changes.
 * Clients come through a trusted X-Forwarded-For hop.
 */
class GeoTest {

    static final Path COUNTRY_DB = Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb");
    static final Path CITY_DB = Path.of("src/test/resources/geoip/GeoLite2-City-Test.mmdb");

    @TempDir
    static Path temp;
    private static Path database;
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        database = temp.resolve("country.mmdb");
        Files.copy(COUNTRY_DB, database);
        backend = TestBackend.start("shop");
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/access-geo.yaml"), routes.resolve("access-geo.yaml"));
        Files.writeString(routes.resolve("deny.yaml"), """
                - route:
                    id: no-cn
                    from:
                      uri: caravan:http
                      parameters:
                        path: /no-cn
                      steps:
                        - to: "caravan-geo:no-cn?database={{geoip.reloading}}&deny=cn&reloadInterval=100"
                        - to: "caravan-forward:{{app.backend}}"
                """);
        // the example's database is never changed; the deny-list route's copy is
        gateway = RunningGateway.start(routes, Map.of("app.backend", backend.url(), "geoip.database",
                COUNTRY_DB.toString(), "geoip.reloading", database.toString(), "caravan.trustedProxies", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    private static RawHttp.Response from(String client, String target, String... headers) throws Exception {
        List<String> all = new ArrayList<>(List.of("X-Forwarded-For: " + client));
        all.addAll(List.of(headers));
        return get(gateway, target, all.toArray(String[]::new));
    }

    @Test
    void anAllowListLetsOnlyItsCountriesOn() throws Exception {
        Map<String, String> countries = new LinkedHashMap<>();
        countries.put("89.160.20.115", "SE");
        countries.put("81.2.69.142", "GB");
        countries.put("2.125.160.217", "GB");
        countries.put("216.160.83.57", null);    // US
        countries.put("2001:218::1", null);      // JP
        countries.put("2a02:d180::1", null);     // DE
        countries.put("111.235.160.1", null);    // CN
        backend.requests().clear();
        List<String> allowed = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, String> row : countries.entrySet()) {
            String target = "/shop/" + (n++);
            RawHttp.Response response = from(row.getKey(), target, "X-Country: SE");
            if (row.getValue() == null) {
                assertEquals(403, response.status(), row.getKey());
            } else {
                assertEquals(200, response.status(), row.getKey());
                assertEquals(row.getValue(), response.echoedHeader("X-Country"), row.getKey());
                allowed.add(target);
            }
        }
        from("89.160.20.115", "/shop/sentinel");
        allowed.add("/shop/sentinel");
        assertEquals(allowed, targets(backend), "denied countries never reach the backend");
    }

    @Test
    void anAddressWithoutACountryFollowsTheDefault() throws Exception {
        RawHttp.Response unknown = from("10.0.0.1", "/shop/x", "X-Country: SE", "X_Country: SE");
        assertEquals(200, unknown.status(), "the example lets addresses without a country on");
        assertNull(unknown.echoedHeader("X-Country"), "no country known: no header, and never the client's");
        assertNull(unknown.echoedHeader("X_Country"));
        assertEquals(200, get(gateway, "/shop/x").status(), "loopback has no country either");
    }

    @Test
    void aDenyListDeniesItsCountriesAndTheDatabaseIsReReadWhenItChanges() throws Exception {
        assertEquals(403, from("111.235.160.1", "/no-cn/x").status(), "CN");
        assertEquals(200, from("81.2.69.142", "/no-cn/x").status(), "GB");
        assertEquals(403, from("127.0.0.1", "/no-cn/x").status(), "no country: denied by default");
        // 175.16.199.0/24 is CN only in the City test database
        assertEquals(403, from("175.16.199.1", "/no-cn/x").status());
        try (CapturedLog log = new CapturedLog()) {
            Files.writeString(temp.resolve("broken.mmdb"), "not a database");
            Files.move(temp.resolve("broken.mmdb"), database, StandardCopyOption.REPLACE_EXISTING);
            eventually("the broken database is reported", () -> log.line("country.mmdb", "not a MaxMind database",
                    "the previous GeoIP data stay in use") != null);
            assertEquals(200, from("81.2.69.142", "/no-cn/x").status(), "the previous database stays");
        }
        Files.copy(CITY_DB, temp.resolve("next.mmdb"));
        Files.move(temp.resolve("next.mmdb"), database, StandardCopyOption.REPLACE_EXISTING);
        eventually("the new database is read", () -> from("50.114.0.1", "/no-cn/x").status() == 403);
        assertEquals(403, from("175.16.199.1", "/no-cn/x").status());
    }
}
