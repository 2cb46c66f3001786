package dev.caravan.listen;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.ScriptedBackend;
import dev.caravan.testing.TestBackend;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path of a forward-only route (no Camel exchange) against the same route through an exchange: each request
 * goes to a forward-only route and to its twin with one extra step that changes nothing, and the backend must see the
 * same request and the client the same response (header order within one name, case of names aside).
 */
class ForwardOnlyRouteTest {

    /** Values that differ per request by design; their presence is still compared. */
    private static final Set<String> PER_REQUEST = Set.of("x-request-id", "traceparent", "date");

    private static TestBackend backend;
    private static ScriptedBackend scripted;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("b1");
        String[] scriptedUrl = new String[1];
        scripted = new ScriptedBackend(line -> script(line, scriptedUrl[0]));
        scriptedUrl[0] = scripted.url();
        gateway = RunningGateway.start(Path.of("src/test/resources/routes/fast-path"), Map.of(
                "backend.url", backend.url(), "scripted.url", scripted.url(), "dead.url", "http://127.0.0.1:1"));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        scripted.close();
        backend.close();
    }

    private static String script(String requestLine, String self) {
        String target = requestLine.split(" ")[1];
        return switch (target) {
            case "/base/reason" -> "HTTP/1.1 299 Fine Thanks\r\nContent-Length: 2\r\nX-Mixed: a\r\nx-mixed: b\r\n"
                    + "CamelHttpResponseCode: 500\r\nCaravanSecret: s\r\nConnection: X-Gone\r\nX-Gone: 1\r\n"
                    + "Keep-Alive: timeout=9\r\n\r\nok";
            case "/base/moved" -> "HTTP/1.1 302 Found\r\nLocation: " + self + "/base/next?a=1\r\n"
                    + "Content-Location: /base/c\r\nRefresh: 0; url=" + self + "/base/r\r\nContent-Length: 0\r\n\r\n";
            case "/base/chunked" -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n"
                    + "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
            case "/base/empty" -> "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n";
            default -> "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        };
    }

    @Test
    void onlyForwardOnlyRoutesSkipTheExchange() {
        assertTrue(direct("fast"));
        assertTrue(direct("fast-scripted"));
        assertTrue(direct("template-plain"), "caravan-proxy with cache and compression off only forwards");
        assertFalse(direct("camel"), "a route with another step runs it");
        assertTrue(direct("template-compressed"), "compression needs no exchange");
        assertFalse(direct("template-cached"), "a step that is on and needs the exchange (the cache) runs it");
        assertFalse(direct("sticky"), "a sticky cookie edits the response through the exchange");
        assertFalse(direct("hashed-on-header"), "a hash on a header reads it through the exchange");
    }

    /**
     * A step that decides on the request alone ({@code caravan-ip}) keeps the fast path: an allowed request reaches the
     * backend as through the exchange, a denied one gets the same 403 and reaches nothing.
     */
    @Test
    void aStepThatDecidesOnTheRequestAloneKeepsTheFastPath() throws Exception {
        assertTrue(direct("fast-ip"));
        assertTrue(direct("fast-ip-denied"), "two deciding steps in a row");
        assertFalse(direct("camel-ip"));
        String raw = "GET /P/echo?q=1 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n";
        assertEquals(sentThrough(gateway, raw.replace("/P/", "/ipcamel/")),
                sentThrough(gateway, raw.replace("/P/", "/ipfast/")));
        int before = backend.requests().size();
        Answer viaFast = answer("GET /ipdfast/x");
        Answer viaCamel = answer("GET /ipdcamel/x");
        assertEquals(viaCamel, viaFast);
        assertTrue(viaFast.statusLine().contains(" 403 "), viaFast.toString());
        assertEquals(before, backend.requests().size(), "a denied request reached the backend");
    }

    /**
     * A rate limit by client address runs on the fast path: the same two answers with the RateLimit fields, then the
     * same 429 (with {@code Retry-After}) as its exchange-path twin; a limit keyed on a header keeps the exchange.
     */
    @Test
    void aRateLimitByClientAddressKeepsTheFastPath() throws Exception {
        assertTrue(direct("fast-limited"));
        assertFalse(direct("camel-limited"));
        assertFalse(direct("limited-by-header"), "a header key reads what earlier steps left in the message");
        for (int i = 1; i <= 3; i++) {
            Answer viaFast = answer("GET /rlfast/echo");
            Answer viaCamel = answer("GET /rlcamel/echo");
            assertEquals(viaCamel.statusLine(), viaFast.statusLine(), "request " + i);
            assertEquals(viaCamel.headers().keySet(), viaFast.headers().keySet(), "request " + i);
            // the same remaining count; the seconds to refill (t=) are each bucket's own, started moments apart
            assertEquals(String.valueOf(viaCamel.headers().get("ratelimit")).replace("camel-limit", "L")
                            .replaceAll("t=\\d+", "t"),
                    String.valueOf(viaFast.headers().get("ratelimit")).replace("fast-limit", "L")
                            .replaceAll("t=\\d+", "t"), "request " + i);
            assertEquals(i < 3 ? 200 : 429, Integer.parseInt(viaFast.statusLine().split(" ")[1]), viaFast.toString());
            assertTrue(viaFast.headers().containsKey("ratelimit-policy"), viaFast.toString());
        }
    }

    /**
     * Steps that check a credential or a country, edit the request or answer it (caravan-jwt, caravan-apikey,
     * caravan-geo, caravan-cors, caravan-rewrite, caravan-redirect, caravan-headers with fixed values: strip forged
     * identity headers, drop the credential, add the verified identity, take a key out of the query, rewrite the target
     * and Host, answer preflights and redirects, edit request and response headers) run on the fast path: what the
     * backend receives and what a refused client gets are the same as through their exchange-path twins.
     */
    @Test
    void stepsThatCheckEditOrAnswerTheRequestKeepTheFastPath(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        String secret = "a secret for HS256 of at least 32 bytes";
        Path keys = java.nio.file.Files.writeString(temp.resolve("keys.txt"), java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest("good-key".getBytes())) + " partner-a\n");
        Path dir = java.nio.file.Files.createDirectories(temp.resolve("routes"));
        StringBuilder routes = new StringBuilder();
        for (String path : List.of("fast", "camel")) {
            boolean twin = path.equals("camel");
            routes.append(oneStepRoute("jwt-" + path, "/jwt" + path, twin, "caravan-jwt:hs?secret={{jwt.secret}}"
                    + "&algorithms=HS256&subjectHeader=X-User&claimHeaders=X-Tenant: tenant", "?stripPrefix=/jwt" + path));
            routes.append(oneStepRoute("key-" + path, "/key" + path, twin,
                    "caravan-apikey:partners?keys={{keys.file}}&query=api_key&labelHeader=X-Partner",
                    "?stripPrefix=/key" + path));
            routes.append(oneStepRoute("geo-" + path, "/geo" + path, twin,
                    "caravan-geo:g?database={{geo.db}}&deny=cn&unknownCountry=allow&countryHeader=X-Country",
                    "?stripPrefix=/geo" + path));
            routes.append(oneStepRoute("geo-strict-" + path, "/strict" + path, twin,
                    "caravan-geo:strict?database={{geo.db}}&allow=se", ""));
            routes.append(oneStepRoute("cors-" + path, "/cors" + path, twin,
                    "caravan-cors:c?origins=https://app.example&methods=GET, PUT&headers=X-A&exposedHeaders=X-B",
                    "?stripPrefix=/cors" + path));
            routes.append(oneStepRoute("rw-" + path, "/rw" + path, twin,
                    "caravan-rewrite:r?match=^/rw(fast|camel)/old/(.*)$&path=/new/{2}&host=internal.example", ""));
            routes.append(oneStepRoute("redirect-" + path, "/redirect" + path, twin,
                    "caravan-redirect:301?match=^/redirect(fast|camel)/old/(.*)$&location=https://docs.example/{2}{?query}",
                    ""));
            routes.append(oneStepRoute("hreq-" + path, "/hreq" + path, twin,
                    "caravan-headers:request?set=X-Tenant: acme&add=X-Via: gw&remove=Cookie, X-Debug-*",
                    "?stripPrefix=/hreq" + path));
            routes.append(oneStepRoute("hresp-" + path, "/hresp" + path, twin,
                    "caravan-headers:response?setIfAbsent=X-Frame-Options: DENY&set=X-Served: gw&remove=Server",
                    "?stripPrefix=/hresp" + path));
            routes.append(oneStepRoute("hdead-" + path, "/hdead" + path, twin,
                    "caravan-headers:response?setIfAbsent=X-Frame-Options: DENY", "").replace("{{backend.url}}",
                    "http://127.0.0.1:1"));
        }
        for (String path : List.of("fast", "camel")) {
            routes.append(oneStepRoute("gz-" + path, "/gz" + path, path.equals("camel"),
                    "caravan-compress:gzip?minSize=10", "?stripPrefix=/gz" + path));
            // a step before it takes the field away: the compressor reads the message that step made
            routes.append(oneStepRoute("gzoff-" + path, "/gzoff" + path, path.equals("camel"),
                    "caravan-headers:request?remove=Accept-Encoding\"\n        - to: \"caravan-compress:gzip?minSize=10",
                    "?stripPrefix=/gzoff" + path));
        }
        // a value that is a Simple expression is evaluated on the exchange
        routes.append(oneStepRoute("hsimple", "/hsimple", false,
                "caravan-headers:request?set=X-Client: ${header.CaravanClientIp}", ""));
        java.nio.file.Files.writeString(dir.resolve("routes.yaml"), routes.toString());
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("user-42").claim("tenant", "acme")
                        .expirationTime(new java.util.Date(System.currentTimeMillis() + 600_000)).build());
        jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        String token = jwt.serialize();
        try (RunningGateway credentials = RunningGateway.start(dir, Map.of("backend.url", backend.url(),
                "jwt.secret", secret, "keys.file", keys.toString(),
                "geo.db", Path.of("src/test/resources/geoip/GeoLite2-Country-Test.mmdb").toAbsolutePath().toString()))) {
            assertTrue(consumer(credentials, "jwt-fast").forwardsDirectly());
            assertTrue(consumer(credentials, "key-fast").forwardsDirectly());
            assertTrue(consumer(credentials, "geo-fast").forwardsDirectly());
            assertTrue(consumer(credentials, "cors-fast").forwardsDirectly());
            assertTrue(consumer(credentials, "rw-fast").forwardsDirectly());
            assertTrue(consumer(credentials, "redirect-fast").forwardsDirectly());
            assertTrue(consumer(credentials, "hreq-fast").forwardsDirectly(), "fixed header edits need no exchange");
            assertTrue(consumer(credentials, "hresp-fast").forwardsDirectly());
            assertFalse(consumer(credentials, "hsimple").forwardsDirectly(), "a Simple value needs the exchange");
            assertTrue(consumer(credentials, "gz-fast").forwardsDirectly(), "compression needs no exchange");
            assertTrue(consumer(credentials, "gzoff-fast").forwardsDirectly());
            // the field as sent, repeated, named in Connection (so not the client's to the next hop), or taken away
            Map<String, Boolean> compressed = Map.of(
                    "/gz~/echo|Accept-Encoding: gzip", true,
                    "/gz~/echo|Accept-Encoding: br;q=1, gzip;q=0.5", true,
                    "/gz~/echo|Accept-Encoding: identity", false,
                    "/gz~/echo|Accept-Encoding: identity\r\nAccept-Encoding: gzip", true,
                    "/gz~/echo|Connection: Accept-Encoding\r\nAccept-Encoding: gzip", false,
                    "/gzoff~/echo|Accept-Encoding: gzip", false);
            for (Map.Entry<String, Boolean> c : compressed.entrySet()) {
                String[] parts = c.getKey().split("\\|");
                String raw = "GET " + parts[0] + " HTTP/1.1\r\nHost: a\r\n" + parts[1] + "\r\n\r\n";
                String viaFast = decoded(credentials, raw.replace("~", "fast"));
                assertEquals(decoded(credentials, raw.replace("~", "camel")), viaFast, raw);
                assertEquals(c.getValue(), viaFast.contains("content-encoding=[gzip]"), raw + " -> " + viaFast);
            }
            assertFalse(consumer(credentials, "jwt-camel").forwardsDirectly());
            for (String raw : List.of(
                    "GET /jwt~/echo?a=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + token
                            + "\r\nX-User: forged\r\nX-Tenant: forged\r\nAccept: */*\r\n\r\n",
                    "GET /key~/echo?a=1&api_key=good-key&b=2 HTTP/1.1\r\nHost: a\r\nX-Partner: forged\r\n\r\n",
                    "POST /key~/echo HTTP/1.1\r\nHost: a\r\nX-Api-Key: good-key\r\nContent-Length: 2\r\n\r\nhi",
                    "GET /geo~/echo HTTP/1.1\r\nHost: a\r\nX-Country: forged\r\n\r\n",
                    "GET /rw~/old/a%20b?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
                    "GET /hreq~/echo HTTP/1.1\r\nHost: a\r\nCookie: s=1\r\nX-Debug-Token: forged\r\n"
                            + "X-Tenant: forged\r\nX-Via: first\r\n\r\n",
                    "GET /cors~/echo HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example\r\n\r\n")) {
                Map<String, Object> viaFast = sentThrough(credentials, raw.replace("~", "fast"));
                Map<String, Object> viaCamel = sentThrough(credentials, raw.replace("~", "camel"));
                assertEquals(viaCamel, viaFast, raw);
                assertFalse(viaFast.toString().contains("forged"), viaFast.toString());
            }
            assertTrue(sentThrough(credentials, "GET /jwtfast/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + token
                    + "\r\n\r\n").toString().contains("x-user=[user-42]"));
            assertTrue(sentThrough(credentials, "GET /keyfast/x?api_key=good-key HTTP/1.1\r\nHost: a\r\n\r\n")
                    .get(":line").equals("GET /x HTTP/1.1"), "the key left the query");
            int before = backend.requests().size();
            for (String raw : List.of("GET /jwt~/x HTTP/1.1\r\nHost: a\r\n\r\n",
                    "GET /jwt~/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + token + "x\r\n\r\n",
                    "GET /key~/x?api_key=bad HTTP/1.1\r\nHost: a\r\n\r\n",
                    "GET /key~/x HTTP/1.1\r\nHost: a\r\nX-Api-Key: good-key\r\nX-Api-Key: good-key\r\n\r\n",
                    "GET /strict~/x HTTP/1.1\r\nHost: a\r\n\r\n")) {
                String viaFast = answer(credentials, raw.replace("~", "fast"));
                String viaCamel = answer(credentials, raw.replace("~", "camel"));
                assertEquals(viaCamel, viaFast, raw);
                assertTrue(viaFast.startsWith(raw.contains("strict") ? "HTTP/1.1 403 " : "HTTP/1.1 401 "), viaFast);
            }
            // answered by a step: CORS preflights (allowed, refused), a redirect; and a CORS step's response headers
            for (String raw : List.of(
                    "OPTIONS /cors~/echo HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example\r\n"
                            + "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: X-A\r\n\r\n",
                    "OPTIONS /cors~/echo HTTP/1.1\r\nHost: a\r\nOrigin: https://evil.example\r\n"
                            + "Access-Control-Request-Method: PUT\r\n\r\n",
                    "GET /redirect~/old/p?q=1 HTTP/1.1\r\nHost: a\r\n\r\n",
                    "GET /cors~/echo HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example\r\n\r\n",
                    "GET /hresp~/echo HTTP/1.1\r\nHost: a\r\n\r\n",
                    "GET /hdead~/x HTTP/1.1\r\nHost: a\r\n\r\n")) {
                String viaFast = answer(credentials, raw.replace("~", "fast"));
                String viaCamel = answer(credentials, raw.replace("~", "camel"));
                assertEquals(viaCamel.replace("/echo camel", "/echo"), viaFast.replace("/echo fast", "/echo"), raw);
            }
            assertTrue(answer(credentials, "GET /redirectfast/old/p?q=1 HTTP/1.1\r\nHost: a\r\n\r\n")
                    .contains("location=[https://docs.example/p?q=1]"));
            // reached it: the two CORS and the two response-edit requests
            assertEquals(before + 4, backend.requests().size(), "a refused or answered request reached the backend");
            String edited = answer(credentials, "GET /hrespfast/echo HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(edited.contains("x-frame-options=[DENY]") && edited.contains("x-served=[gw]")
                    && !edited.contains("server="), edited);
            String page = answer(credentials, "GET /hdeadfast/x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(page.startsWith("HTTP/1.1 502 ") && page.contains("x-frame-options=[DENY]"), page);
            assertTrue(sentThrough(credentials, "GET /hsimple/x HTTP/1.1\r\nHost: a\r\n\r\n").toString()
                    .contains("x-client=[127.0.0.1]"));
        }
    }

    /** Like {@link #answer}, with a gzip body decoded first. */
    private static String decoded(RunningGateway through, String raw) throws Exception {
        try (RawHttp http = new RawHttp(through.port())) {
            RawHttp.Response response = http.exchange(raw);
            byte[] body = response.body();
            if ("gzip".equals(response.header("Content-Encoding"))) {
                try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                        new java.io.ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            return response.statusLine() + " " + grouped(response.headers()) + " "
                    + new String(body, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .replaceAll("(X-Request-Id|traceparent|X-Forwarded-Port): \\S+", "$1: *");
        }
    }

    /** A route with one step before its forward; {@code twin}: with a no-op step first, so it keeps the exchange. */
    private static String oneStepRoute(String id, String path, boolean twin, String step, String forwardOptions) {
        return """
                - route:
                    id: %s
                    from:
                      uri: caravan:http?path=%s
                      steps:
                %s        - to: "%s"
                        - to: "caravan-forward:{{backend.url}}%s"
                """.formatted(id, path, twin
                ? "        - setProperty:\n            name: viaCamel\n            constant: \"true\"\n" : "",
                step, forwardOptions);
    }

    /** A request's whole answer: status line, headers but the per-request ones, and body. */
    private static String answer(RunningGateway through, String raw) throws Exception {
        try (RawHttp http = new RawHttp(through.port())) {
            RawHttp.Response response = http.exchange(raw);
            return response.statusLine() + " " + grouped(response.headers()) + " "
                    + new String(response.body(), java.nio.charset.StandardCharsets.ISO_8859_1)
                            .replaceAll("(X-Request-Id|traceparent|X-Forwarded-Port): \\S+", "$1: *"); // echoed ids
        }
    }

    private static boolean direct(String routeId) {
        assertNotNull(gateway.context().getRoute(routeId), routeId);
        return consumer(gateway, routeId).forwardsDirectly();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /P/echo?q=1&b=%2F HTTP/1.1\r\nHost: a.example\r\nConnection: keep-alive, X-Listed\r\nX-Listed: drop\r\n"
                + "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nCamelHttpUri: /evil\r\n"
                + "CaravanClientIp: 6.6.6.6\r\nX-Forwarded-For: 1.2.3.4\r\nX_Forwarded_For: 5.6.7.8\r\n"
                + "X-Real-IP: 9.9.9.9\r\nForwarded: for=1.1.1.1\r\nVia: 1.1 elsewhere\r\nX-Dup: 1\r\nx-dup: 2\r\n"
                + "Cookie: a=1\r\nAccept: */*\r\n\r\n",
        "POST /P/echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
        "POST /P/echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "PUT /P/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
        "GET /P/echo HTTP/1.0\r\nHost: a\r\n\r\n",
        "DELETE /P/a/../echo;x=1 HTTP/1.1\r\nHost: a:8080\r\n\r\n",
    })
    void theBackendSeesTheSameRequest(String raw) throws Exception {
        Map<String, Object> fast = sentThrough(gateway, raw.replace("/P/", "/fast/"));
        Map<String, Object> camel = sentThrough(gateway, raw.replace("/P/", "/camel/"));
        assertEquals(camel, fast);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /P/hop", "HEAD /P/hop", "GET /P/status/503", "GET /P/status/204", "GET /P/status/304",
        "GET /P/status/404", "GET /P/download/70000", "GET /P/download/5000?chunked", "GET /P/close",
        "GET /sP/reason", "GET /sP/moved", "GET /sP/chunked", "GET /sP/empty", "GET /dP/nothing-there",
    })
    void theClientSeesTheSameResponse(String request) throws Exception {
        String fast = request.replace("P/", "fast/");
        String camel = request.replace("P/", "camel/");
        Answer viaFast = answer(fast);
        Answer viaCamel = answer(camel);
        assertEquals(viaCamel, viaFast, request);
        if (request.contains("/sP/moved")) {
            // the backend's own address was rewritten to the client's, on both paths
            assertTrue(viaFast.headers().toString().contains("http://a.example/sP/next?a=1"), viaFast.toString());
        }
        if (request.contains("/dP/")) {
            assertEquals("502", viaFast.statusLine().split(" ")[1]);
            assertFalse(new String(viaFast.body()).contains("127.0.0.1:1"), "the backend's address leaked");
        }
    }

    private record Answer(String statusLine, Map<String, Object> headers, byte[] body) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Answer a && a.statusLine.equals(statusLine) && a.headers.equals(headers)
                    && java.util.Arrays.equals(a.body, body);
        }

        @Override
        public int hashCode() {
            return statusLine.hashCode();
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + new String(body);
        }
    }

    private static Answer answer(String request) throws Exception {
        String raw = request + " HTTP/1.1\r\nHost: a.example\r\n\r\n";
        try (RawHttp http = new RawHttp(gateway.port())) {
            RawHttp.Response response = http.exchange(raw);
            // the two routes differ in their prefix only: take it out of what the body echoes
            byte[] body = new String(response.body(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .replace("/fast/", "/P/").replace("/camel/", "/P/")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            return new Answer(response.statusLine(), grouped(response.headers()), body);
        }
    }

    /** Headers by lower-case name, each name's values in the order sent; per-request values masked. */
    private static Map<String, Object> grouped(List<Map.Entry<String, String>> headers) {
        Map<String, Object> grouped = new TreeMap<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) grouped.computeIfAbsent(name, n -> new ArrayList<String>());
            values.add(PER_REQUEST.contains(name) ? "*" : header.getValue()
                    .replace("/fast/", "/P/").replace("/camel/", "/P/")
                    .replace("/sfast", "/sP").replace("/scamel", "/sP"));
        }
        return grouped;
    }

    @Test
    void theDocumentedExampleSaysWhichRoutesForwardDirectly() throws Exception {
        try (RunningGateway docs = RunningGateway.startWithCopies(java.nio.file.Files.createTempDirectory("fast-path"),
                Map.of("api.backend", backend.url(), "site.backend", backend.url()),
                Path.of("docs/examples/forward-only.yaml"))) {
            assertTrue(consumer(docs, "api").forwardsDirectly());
            assertTrue(consumer(docs, "site").forwardsDirectly());
            assertTrue(consumer(docs, "internal").forwardsDirectly());
            assertFalse(consumer(docs, "admin").forwardsDirectly());
            assertEquals("/x", docs.get("/api/x").echoed("target"));
            assertEquals("/internal/y", docs.get("/internal/y").echoed("target"));
            assertEquals("DENY", docs.get("/internal/y").header("X-Frame-Options"));
            assertEquals("/page", docs.get("/page").echoed("target"));
            assertEquals("yes", docs.get("/admin/x").echoedHeader("X-Admin"));
        }
    }

    /** The routes bench/ab.sh measures the fast-path steps with load, proxy and take the fast path. */
    @Test
    void theBenchRoutesTakeTheFastPath() throws Exception {
        Map<String, String> origin = Map.of("bench.backend", backend.url());
        try (RunningGateway headers = RunningGateway.startWithCopies(
                java.nio.file.Files.createTempDirectory("bench-headers"), origin, Path.of("bench/routes/headers.yaml"))) {
            assertTrue(consumer(headers, "bench-headers").forwardsDirectly());
            RawHttp.Response response = headers.get("/x");
            assertEquals(200, response.status());
            assertEquals("DENY", response.header("X-Frame-Options"));
            assertEquals("acme", response.echoedHeader("X-Tenant"));
        }
        try (RunningGateway compress = RunningGateway.startWithCopies(
                java.nio.file.Files.createTempDirectory("bench-compress"), origin, Path.of("bench/routes/compress.yaml"))) {
            assertTrue(consumer(compress, "bench-compress").forwardsDirectly());
            assertEquals(200, compress.get("/x").status());
        }
    }

    /** Whatever Camel would add around a route's steps keeps the exchange, so it still runs. */
    @Test
    void camelAroundTheStepsKeepsTheExchange(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        String plain = """
                - route:
                    id: plain-route
                    from:
                      uri: caravan:http?path=/p
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """;
        Path failures = write(temp.resolve("failures"), """
                - routeConfiguration:
                    id: failures
                    onException:
                      - onException:
                          exception:
                            - java.lang.Exception
                          handled:
                            constant: true
                          steps:
                            - setBody:
                                constant: handled
                - route:
                    id: on-exception-route
                    routeConfigurationId: failures
                    from:
                      uri: caravan:http?path=/e
                      steps:
                        - to: "caravan-forward:http://127.0.0.1:1"
                """ + plain);
        try (RunningGateway gateway = RunningGateway.start(failures, Map.of("backend.url", backend.url()))) {
            assertFalse(consumer(gateway, "on-exception-route").forwardsDirectly(), "onException");
            // (noErrorHandler, Caravan's own main's, does not run onException: the failure is the gateway's 502)
            assertEquals(502, gateway.get("/e/x").status());
            assertTrue(consumer(gateway, "plain-route").forwardsDirectly());
        }
        // Camel's per-route meters are a route policy: they count exchanges, so every route keeps one
        try (RunningGateway gateway = RunningGateway.start(failures, Map.of("backend.url", backend.url(),
                "caravan.metrics.camelRoutes", "true"))) {
            assertFalse(consumer(gateway, "plain-route").forwardsDirectly(), "route policy");
            assertEquals(200, gateway.get("/p/x").status());
        }
        // an intercepted endpoint is not the forwarder itself: the interception must run
        Path intercepted = write(temp.resolve("intercepted"), """
                - routeConfiguration:
                    id: intercepted
                    interceptSendToEndpoint:
                      - interceptSendToEndpoint:
                          uri: "caravan-forward*"
                          steps:
                            - setHeader:
                                name: X-Intercepted
                                constant: "yes"
                - route:
                    id: intercepted-route
                    routeConfigurationId: intercepted
                    from:
                      uri: caravan:http?path=/i
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """);
        try (RunningGateway gateway = RunningGateway.start(intercepted, Map.of("backend.url", backend.url()))) {
            assertFalse(consumer(gateway, "intercepted-route").forwardsDirectly(), "interceptSendToEndpoint");
            assertEquals("yes", gateway.get("/i/x").echoedHeader("X-Intercepted"));
        }
    }

    /**
     * After a guard route the request is what the guard left (an identity it established, a header it removed, a
     * target or method it changed): a forward-only route sends exactly what its exchange-path twin sends.
     */
    @Test
    void whatAGuardLeftReachesTheBackend(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        Path routes = write(temp.resolve("guarded"), """
                - route:
                    id: identity-guard
                    from:
                      uri: caravan:http?guard=true&path=/g
                      steps:
                        - setHeader:
                            name: X-User
                            constant: alice
                        - removeHeader:
                            name: X-Secret
                        - setHeader:
                            name: CamelHttpQuery
                            constant: by=guard
                        - setHeader:
                            name: CamelHttpMethod
                            constant: PUT
                - route:
                    id: after-guard
                    from:
                      uri: caravan:http?path=/g/fast
                      steps:
                        - to: "caravan-forward:{{backend.url}}?stripPrefix=/g/fast"
                - route:
                    id: after-guard-camel
                    from:
                      uri: caravan:http?path=/g/camel
                      steps:
                        - setProperty:
                            name: viaCamel
                            constant: "true"
                        - to: "caravan-forward:{{backend.url}}?stripPrefix=/g/camel"
                - route:
                    id: rewriting-guard
                    from:
                      uri: caravan:http?guard=true&path=/r
                      steps:
                        - setHeader:
                            name: CamelHttpUri
                            constant: /rewritten?by=guard
                - route:
                    id: after-rewrite
                    from:
                      uri: caravan:http?path=/r
                      steps:
                        - to: "caravan-forward:{{backend.url}}"
                """);
        try (RunningGateway gateway = RunningGateway.start(routes, Map.of("backend.url", backend.url()))) {
            assertTrue(consumer(gateway, "after-guard").forwardsDirectly());
            String raw = "POST /g/P/echo?q=1 HTTP/1.1\r\nHost: a\r\nX-Secret: s\r\nX-Kept: k\r\n"
                    + "Content-Length: 5\r\n\r\nhello";
            Map<String, Object> fast = sentThrough(gateway, raw.replace("/P/", "/fast/"));
            Map<String, Object> camel = sentThrough(gateway, raw.replace("/P/", "/camel/"));
            assertEquals(camel, fast);
            assertEquals("PUT /echo?by=guard HTTP/1.1", fast.get(":line"));
            assertEquals(List.of("alice"), fast.get("x-user"));
            assertEquals(null, fast.get("x-secret"));
            assertEquals(List.of("k"), fast.get("x-kept"));
            try (RawHttp http = new RawHttp(gateway.port())) {
                RawHttp.Response response = http.exchange("GET /r/x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("/rewritten?by=guard", response.echoed("target"));
            }
        }
    }

    /** What the backend received for {@code raw} sent through {@code through}: request line and grouped headers. */
    private static Map<String, Object> sentThrough(RunningGateway through, String raw) throws Exception {
        try (RawHttp http = new RawHttp(through.port())) {
            RawHttp.Response response = http.exchange(raw);
            assertEquals(200, response.status(), response.statusLine());
        }
        HttpRequest seen = backend.lastRequest();
        Map<String, Object> request = new TreeMap<>();
        request.put(":line", seen.method() + " " + seen.uri() + " " + seen.protocolVersion());
        request.putAll(grouped(seen.headers().entries()));
        return request;
    }

    /**
     * Inside a user's own CamelContext the default error handler (and whatever onException it holds) sees the route's
     * failures, so routes keep the exchange; with {@code noErrorHandler} they take the fast path there too.
     */
    @Test
    void anApplicationsErrorHandlerKeepsTheExchange() throws Exception {
        try (org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext()) {
            context.getPropertiesComponent().addInitialProperty("caravan.http.host", "127.0.0.1");
            context.getPropertiesComponent().addInitialProperty("caravan.http.port", "0");
            context.getPropertiesComponent().addInitialProperty("caravan.https.enabled", "false");
            context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("caravan:http?path=/handled").routeId("handled").to("caravan-forward:" + backend.url());
                    from("caravan:http?path=/bare").routeId("bare").errorHandler(noErrorHandler())
                            .to("caravan-forward:" + backend.url());
                }
            });
            context.start();
            assertFalse(((CaravanConsumer) context.getRoute("handled").getConsumer()).forwardsDirectly());
            assertTrue(((CaravanConsumer) context.getRoute("bare").getConsumer()).forwardsDirectly());
            int port = dev.caravan.server.CaravanServer.find(context).orElseThrow().httpPort();
            for (String target : new String[] {"/handled/x", "/bare/x"}) {
                try (RawHttp http = new RawHttp(port)) {
                    assertEquals(200, http.exchange("GET " + target + " HTTP/1.1\r\nHost: app\r\n\r\n").status());
                }
            }
        }
    }

    private static Path write(Path folder, String yaml) throws java.io.IOException {
        java.nio.file.Files.createDirectories(folder);
        java.nio.file.Files.writeString(folder.resolve("routes.yaml"), yaml);
        return folder;
    }

    private static CaravanConsumer consumer(RunningGateway gateway, String routeId) {
        return (CaravanConsumer) gateway.context().getRoute(routeId).getConsumer();
    }

    @Test
    void theFastPathCanBeTurnedOff() throws Exception {
        try (RunningGateway off = RunningGateway.start(Path.of("src/test/resources/routes/fast-path"), Map.of(
                "backend.url", backend.url(), "scripted.url", scripted.url(), "dead.url", "http://127.0.0.1:1",
                "caravan.forward.fastPath", "false"))) {
            assertFalse(consumer(off, "fast").forwardsDirectly());
            assertEquals(200, off.get("/fast/echo").status());
        }
    }
}
