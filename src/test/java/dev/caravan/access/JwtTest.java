package dev.caravan.access;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static dev.caravan.access.AccessHttp.eventually;
import static dev.caravan.access.AccessHttp.get;
import static dev.caravan.access.AccessHttp.targets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caravan-jwt (docs/examples/access-jwt.yaml) with keys and tokens made here by nimbus and the JWK set served by a test
 * HTTP server: every way a token can be wrong gets 401, a missing scope 403, a valid one passes with its identity; key
 * sets from a URL refresh on an unknown kid without blocking and without hammering; key sets from a file reload.
 */
class JwtTest {

    private static final String ISSUER = "https://idp.example.com/";
    private static final String SECRET = "an HS256 secret of at least 32 bytes";

    @TempDir
    static Path temp;
    private static RSAKey rsa1;
    private static RSAKey rsa2;
    private static RSAKey attacker;
    private static ECKey ec1;
    private static HttpServer jwksServer;
    private static final Map<String, String> served = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private static final CountDownLatch slowRelease = new CountDownLatch(1);
    private static TestBackend backend;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        rsa1 = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        rsa2 = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        attacker = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec1 = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        String both = new JWKSet(List.of(rsa1, ec1)).toString(); // public parts only
        served.put("/jwks.json", both);
        served.put("/rotating.json", new JWKSet(rsa1).toString());
        served.put("/flood.json", both);
        served.put("/late.json", both);
        jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.setExecutor(Executors.newCachedThreadPool());
        jwksServer.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if (path.equals("/late.json")) {
                try {
                    slowRelease.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = served.getOrDefault(path, "").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.start();

        backend = TestBackend.start("orders");
        Path routes = Files.createDirectories(temp.resolve("routes"));
        Files.copy(Path.of("docs/examples/access-jwt.yaml"), routes.resolve("access-jwt.yaml"));
        Files.writeString(routes.resolve("more.yaml"), """
                - route:
                    id: confusion
                    from:
                      uri: caravan:http
                      parameters:
                        path: /mixed
                      steps:
                        - to:
                            uri: caravan-jwt:mixed
                            parameters:
                              jwks: "%1$s/jwks.json"
                              algorithms: RS256, HS256
                              secret: "{{mixed.secret}}"
                              subjectHeader: X-User
                        - to: "caravan-forward:%2$s"
                - route:
                    id: rotating
                    from:
                      uri: caravan:http
                      parameters:
                        path: /rotating
                      steps:
                        - to: "caravan-jwt:rotating?jwks=%1$s/rotating.json&jwksMinRefreshInterval=200&jwksRefreshInterval=3600000"
                        - to: "caravan-forward:%2$s"
                - route:
                    id: flood
                    from:
                      uri: caravan:http
                      parameters:
                        path: /flood
                      steps:
                        - to: "caravan-jwt:flood?jwks=%1$s/flood.json&jwksMinRefreshInterval=3600000"
                        - to: "caravan-forward:%2$s"
                - route:
                    id: late
                    from:
                      uri: caravan:http
                      parameters:
                        path: /late
                      steps:
                        - to: "caravan-jwt:late?jwks=%1$s/late.json"
                        - to: "caravan-forward:%2$s"
                """.formatted(jwksUrl(""), backend.url()));
        gateway = RunningGateway.start(routes, Map.of("app.backend", backend.url(),
                "orders.jwks", jwksUrl("/jwks.json"), "mixed.secret", SECRET));
        eventually("the JWK set is fetched", () -> get(gateway, "/orders/x", bearer(token(rsa1, c -> { }))).status()
                == 200);
    }

    @AfterAll
    static void stop() {
        slowRelease.countDown();
        gateway.close();
        backend.close();
        jwksServer.stop(0);
    }

    private static String jwksUrl(String path) {
        return "http://127.0.0.1:" + jwksServer.getAddress().getPort() + path;
    }

    static String bearer(String token) {
        return "Authorization: Bearer " + token;
    }

    /** A token the example route accepts, changed by {@code edit}. */
    static String token(JWK key, Consumer<JWTClaimsSet.Builder> edit) throws Exception {
        JWSAlgorithm algorithm = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
        return sign(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), signer,
                edit);
    }

    static String sign(JWSHeader header, JWSSigner signer, Consumer<JWTClaimsSet.Builder> edit) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims(edit));
        jwt.sign(signer);
        return jwt.serialize();
    }

    static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> edit) {
        long now = System.currentTimeMillis();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(List.of("orders-api", "billing-api"))
                .subject("user-42")
                .issueTime(new Date(now))
                .expirationTime(new Date(now + 300_000))
                .claim("scope", "orders:read orders:write")
                .claim("email", "u42@example.com")
                .claim("tenant", "acme");
        edit.accept(claims);
        return claims.build();
    }

    private static Date in(long seconds) {
        return new Date(System.currentTimeMillis() + seconds * 1000);
    }

    @Test
    void aValidTokenPassesWithItsVerifiedIdentityAndTheClientsCopiesAreGone() throws Exception {
        RawHttp.Response response = get(gateway, "/orders/1", bearer(token(rsa1, c -> { })), "X-User: admin",
                "X_User: admin", "X-User-Email: boss@example.com", "X-Tenant: evil");
        assertEquals(200, response.status());
        assertEquals(List.of("header X-User: user-42"), response.bodyText().lines()
                .filter(l -> l.toLowerCase().matches("header x[-_]user:.*")).toList());
        assertEquals("u42@example.com", response.echoedHeader("X-User-Email"));
        assertEquals("acme", response.echoedHeader("X-Tenant"));
        assertNull(response.echoedHeader("Authorization"), "the token stays at the gateway");

        RawHttp.Response ec = get(gateway, "/orders/2", bearer(token(ec1, c -> c.claim("tenant", null))),
                "X-Tenant: evil");
        assertEquals(200, ec.status(), "ES256");
        assertNull(ec.echoedHeader("X-Tenant"), "no claim: no header, and never the client's");
        assertEquals(200, get(gateway, "/orders/3", bearer(token(rsa1, c -> c.claim("scope", null)
                .claim("scp", List.of("orders:read"))))).status(), "scopes as an scp list");
        assertEquals(200, get(gateway, "/orders/4", bearer(token(rsa1, c -> c.expirationTime(in(-30))))).status(),
                "expired 30 s ago: within the 60 s clock skew");
        assertEquals(200, get(gateway, "/orders/5", bearer(token(rsa1, c -> c.notBeforeTime(in(30))))).status(),
                "valid in 30 s: within the clock skew");
    }

    @Test
    void everyKindOfBadTokenGets401AndNeverReachesTheBackend() throws Exception {
        String good = token(rsa1, c -> { });
        String[] parts = good.split("\\.");
        String noneHeader = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}").toString();
        String hmacWithRsaPublicKey = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                new MACSigner(rsa1.toRSAPublicKey().getEncoded()), c -> { });
        Map<String, String> tokens = new java.util.LinkedHashMap<>();
        tokens.put("expired", token(rsa1, c -> c.expirationTime(in(-600))));
        tokens.put("not yet valid", token(rsa1, c -> c.notBeforeTime(in(600))));
        tokens.put("no exp", token(rsa1, c -> c.expirationTime(null)));
        tokens.put("wrong audience", token(rsa1, c -> c.audience("billing-api")));
        tokens.put("no audience", token(rsa1, c -> c.audience((String) null)));
        tokens.put("wrong issuer", token(rsa1, c -> c.issuer("https://evil.example.com/")));
        tokens.put("wrong signature", token(attacker, c -> { }));
        tokens.put("signature of another token", parts[0] + "." + Base64URL.encode(claims(c -> c.subject("admin"))
                .toString()) + "." + parts[2]);
        tokens.put("alg none", new PlainJWT(claims(c -> { })).serialize());
        tokens.put("alg none, signature kept", noneHeader + "." + parts[1] + "." + parts[2]);
        tokens.put("alg none, no signature", noneHeader + "." + parts[1] + ".");
        tokens.put("HS256 with the RSA public key", hmacWithRsaPublicKey);
        tokens.put("unknown kid", token(new RSAKeyGenerator(2048).keyID("who-knows").generate(), c -> { }));
        tokens.put("garbage", "not.a.token");
        backend.requests().clear();
        for (Map.Entry<String, String> bad : tokens.entrySet()) {
            RawHttp.Response response = get(gateway, "/orders/bad", bearer(bad.getValue()));
            assertEquals(401, response.status(), bad.getKey());
            assertEquals("Bearer error=\"invalid_token\"", response.header("WWW-Authenticate"), bad.getKey());
        }
        RawHttp.Response none = get(gateway, "/orders/none");
        assertEquals(401, none.status());
        assertEquals("Bearer", none.header("WWW-Authenticate"), "no token: a challenge without an error");
        assertEquals(401, get(gateway, "/orders/basic", "Authorization: Basic dTpw").status());
        get(gateway, "/orders/sentinel", bearer(good));
        assertEquals(List.of("/orders/sentinel"), targets(backend));
    }

    @Test
    void aValidTokenWithoutTheRequiredScopeGets403() throws Exception {
        RawHttp.Response response = get(gateway, "/orders/x", bearer(token(rsa1, c -> c.claim("scope",
                "orders:write"))));
        assertEquals(403, response.status());
        assertEquals("Bearer error=\"insufficient_scope\", scope=\"orders:read\"", response.header("WWW-Authenticate"));
    }

    @Test
    void algorithmConfusionIsRefusedWhereHs256IsAllowed() throws Exception {
        String withSecret = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).build(),
                new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), c -> { });
        assertEquals("user-42", get(gateway, "/mixed/x", bearer(withSecret)).echoedHeader("X-User"),
                "HS256 with the configured secret");
        assertEquals(200, get(gateway, "/mixed/x", bearer(token(rsa1, c -> { }))).status(), "RS256 beside it");
        byte[] der = rsa1.toRSAPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII),
                rsa1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
            for (String kid : new String[] {"rsa-1", null}) {
                String forged = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(),
                        new MACSigner(secret), c -> c.subject("admin"));
                assertEquals(401, get(gateway, "/mixed/x", bearer(forged)).status(), "HS256 keyed with the RSA key");
            }
        }
    }

    @Test
    void anUnknownKidRefreshesTheKeySetSoARotatedKeyWorks() throws Exception {
        String rotated = token(rsa2, c -> { });
        eventually("the first key set is fetched", () -> get(gateway, "/rotating/x",
                bearer(token(rsa1, c -> { }))).status() == 200);
        assertEquals(401, get(gateway, "/rotating/x", bearer(rotated)).status());
        served.put("/rotating.json", new JWKSet(List.of(rsa1, rsa2)).toString()); // the issuer rotates
        eventually("the rotated key is fetched", () -> get(gateway, "/rotating/x", bearer(rotated)).status() == 200);
    }

    @Test
    void aFloodOfUnknownKidsCannotHammerTheKeySetUrl() throws Exception {
        eventually("the key set is fetched", () -> get(gateway, "/flood/x", bearer(token(rsa1, c -> { }))).status()
                == 200);
        RemoteJwkSet set = ((JwtComponent) gateway.context().getComponent("caravan-jwt")).remoteSets()
                .get(URI.create(jwksUrl("/flood.json")));
        long before = set.fetches();
        JWK made = new RSAKeyGenerator(2048).generate();
        for (int i = 0; i < 30; i++) {
            RSAKey madeUp = new RSAKey.Builder((RSAKey) made).keyID("made-up-" + i).build();
            assertEquals(401, get(gateway, "/flood/x", bearer(token(madeUp, c -> { }))).status());
        }
        // a fetch is started, if at all, before the request that asked for it is answered
        assertEquals(before, set.fetches(), "no fetch within the minimum interval, however many unknown kids");
        assertEquals(1, hits.get("/flood.json").get());
    }

    @Test
    void anUnknownKidWhileTheKeySetIsBeingFetchedGets401AtOnce() throws Exception {
        // the first fetch of /late.json hangs in the server until released: requests do not wait for it
        assertEquals(401, get(gateway, "/late/x", bearer(token(rsa1, c -> { }))).status());
        assertEquals(401, get(gateway, "/late/x", bearer(token(rsa1, c -> { }))).status());
        slowRelease.countDown();
        eventually("the key set arrives", () -> get(gateway, "/late/x", bearer(token(rsa1, c -> { }))).status()
                == 200);
    }

    @Test
    void aRouteReloadKeepsTheFetchedKeys(@TempDir Path dir) throws Exception {
        served.put("/reload.json", new JWKSet(rsa1).toString());
        String route = """
                - route:
                    id: reloaded
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-jwt:reloaded?jwks=%s"
                        - setHeader:
                            name: X-Generation
                            constant: "%s"
                        - to: "caravan-forward:%s"
                """;
        Path file = dir.resolve("jwt.yaml");
        Files.writeString(file, route.formatted(jwksUrl("/reload.json"), "one", backend.url()));
        try (RunningGateway reloading = RunningGateway.start(dir, Map.of())) {
            String token = bearer(token(rsa1, c -> { }));
            eventually("keys", () -> get(reloading, "/x", token).status() == 200);
            Files.writeString(file, route.formatted(jwksUrl("/reload.json"), "two", backend.url()));
            eventually("the new route", () -> "two".equals(get(reloading, "/x", token).echoedHeader("X-Generation")));
            assertEquals(1, hits.get("/reload.json").get(), "the new route's step uses the keys fetched before");
        }
    }

    @Test
    void aKeySetFileIsReReadWhenItChanges() throws Exception {
        Path jwks = temp.resolve("jwks-file.json");
        Files.writeString(jwks, new JWKSet(rsa1).toString());
        Path dir = Files.createDirectories(temp.resolve("file-routes"));
        Files.writeString(dir.resolve("jwt.yaml"), """
                - route:
                    id: file
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-jwt:file?jwks=%s&reloadInterval=100&subjectHeader=X-User"
                        - to: "caravan-forward:%s"
                """.formatted(jwks, backend.url()));
        try (RunningGateway files = RunningGateway.start(dir, Map.of())) {
            String one = token(rsa1, c -> { });
            String two = token(rsa2, c -> { });
            assertEquals(200, get(files, "/x", bearer(one)).status());
            assertEquals(401, get(files, "/x", bearer(two)).status());
            Files.writeString(jwks, new JWKSet(rsa2).toString());
            eventually("the new key is read", () -> get(files, "/x", bearer(two)).status() == 200);
            assertEquals(401, get(files, "/x", bearer(one)).status(), "the removed key stops working");
            Files.writeString(jwks, "{\"keys\": [ broken");
            // a sentinel for the broken file: the next good change is seen, so the broken one was seen before it
            Files.writeString(jwks, new JWKSet(List.of(rsa1, rsa2)).toString());
            eventually("both keys", () -> get(files, "/x", bearer(one)).status() == 200);
            assertEquals(200, get(files, "/x", bearer(two)).status());
        }
    }

    @Test
    void aTokenVerifiedBeforeStillExpires(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("jwt.yaml"), """
                - route:
                    id: strict
                    from:
                      uri: caravan:http
                      steps:
                        - to: "caravan-jwt:strict?jwks=%s&clockSkew=0"
                        - to: "caravan-forward:%s"
                """.formatted(jwksUrl("/jwks.json"), backend.url()));
        try (RunningGateway strict = RunningGateway.start(dir, Map.of())) {
            eventually("keys", () -> get(strict, "/x", bearer(token(rsa1, c -> { }))).status() == 200);
            String shortLived = bearer(token(rsa1, c -> c.expirationTime(in(5))));
            assertEquals(200, get(strict, "/x", shortLived).status());
            assertEquals(200, get(strict, "/x", shortLived).status(), "verified before: remembered");
            eventually("the remembered token expires", () -> get(strict, "/x", shortLived).status() == 401);
        }
    }

    @Test
    void requiredClaimsAreCheckedAfterTheSignature(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("jwt.yaml"), """
                - route:
                    id: claims
                    from:
                      uri: caravan:http
                      steps:
                        - to:
                            uri: caravan-jwt:claims
                            parameters:
                              jwks: "%s"
                              requiredClaims: "tenant=acme, email"
                              claimHeaders: "X-Roles: roles, X-Verified: email_verified"
                        - to: "caravan-forward:%s"
                """.formatted(jwksUrl("/jwks.json"), backend.url()));
        try (RunningGateway claims = RunningGateway.start(dir, Map.of())) {
            eventually("keys", () -> get(claims, "/x", bearer(token(rsa1, c -> { }))).status() == 200);
            RawHttp.Response roles = get(claims, "/x", bearer(token(rsa1, c -> c.claim("roles", List.of("a", "b"))
                    .claim("email_verified", true))));
            assertEquals("a,b", roles.echoedHeader("X-Roles"));
            assertEquals("true", roles.echoedHeader("X-Verified"));
            assertEquals(200, get(claims, "/x", bearer(token(rsa1, c -> c.claim("tenant", List.of("x", "acme")))))
                    .status());
            assertEquals(403, get(claims, "/x", bearer(token(rsa1, c -> c.claim("tenant", "other")))).status());
            assertEquals(403, get(claims, "/x", bearer(token(rsa1, c -> c.claim("email", null)))).status());
            assertTrue(get(claims, "/x", bearer(token(rsa1, c -> c.claim("email", null)))).header("WWW-Authenticate")
                    .startsWith("Bearer error=\"insufficient_scope\""));
        }
    }
}
