package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** X-Forwarded-For from a trusted proxy is kept and names the client; from anyone else it is dropped. */
class TrustedProxiesTest {

    @TempDir
    Path temp;

    private RawHttp.Response through(String trustedProxies, String... headers) throws Exception {
        return throughOneConnection(trustedProxies, new String[][] {headers}).get(0);
    }

    /** One request per entry of {@code requests} (its header lines), all on one kept connection. */
    private java.util.List<RawHttp.Response> throughOneConnection(String trustedProxies, String[]... requests)
            throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            Path routes = Files.createDirectories(temp.resolve("routes-" + trustedProxies.hashCode()));
            Files.writeString(routes.resolve("proxy.yaml"), """
                    - route:
                        id: proxy
                        from:
                          uri: caravan:http
                          steps:
                            - setHeader:
                                name: X-Client
                                simple: "${header.CaravanClientIp}"
                            - to: "caravan-forward:%s"
                    """.formatted(backend.url()));
            try (RunningGateway gateway = RunningGateway.start(routes, Map.of("caravan.trustedProxies", trustedProxies));
                 RawHttp http = new RawHttp(gateway.port())) {
                java.util.List<RawHttp.Response> responses = new java.util.ArrayList<>();
                for (String[] headers : requests) {
                    StringBuilder raw = new StringBuilder("GET / HTTP/1.1\r\nHost: t\r\n");
                    for (String header : headers) {
                        raw.append(header).append("\r\n");
                    }
                    responses.add(http.exchange(raw.append("\r\n").toString()));
                }
                return responses;
            }
        }
    }

    @Test
    void aTrustedProxysChainIsKeptAndNamesTheClient() throws Exception {
        RawHttp.Response response = through("127.0.0.1, 10.0.0.0/8",
                "X-Forwarded-For: 198.51.100.9, 203.0.113.7, 10.1.2.3");
        assertEquals("198.51.100.9, 203.0.113.7, 10.1.2.3, 127.0.0.1", response.echoedHeader("X-Forwarded-For"));
        assertEquals("203.0.113.7", response.echoedHeader("X-Client"), "right-most address that is not a proxy");
    }

    @Test
    void anUntrustedPeersForwardingHeadersAreDropped() throws Exception {
        RawHttp.Response response = through("10.0.0.0/8",
                "X-Forwarded-For: 6.6.6.6", "Forwarded: for=6.6.6.6", "X-Real-IP: 6.6.6.6", "Via: 1.1 liar");
        assertEquals("127.0.0.1", response.echoedHeader("X-Forwarded-For"));
        assertEquals("127.0.0.1", response.echoedHeader("X-Client"));
        assertNull(response.echoedHeader("Forwarded"));
        assertEquals("127.0.0.1", response.echoedHeader("X-Real-IP"), "Caravan's, not the client's");
        assertEquals("1.1 caravan", response.echoedHeader("Via"));
    }

    @Test
    void eachRequestOfATrustedProxysKeptConnectionNamesItsOwnClient() throws Exception {
        java.util.List<RawHttp.Response> responses = throughOneConnection("127.0.0.1",
                new String[] {"X-Forwarded-For: 203.0.113.7"}, new String[] {"X-Forwarded-For: 198.51.100.9"},
                new String[] {});
        assertEquals("203.0.113.7", responses.get(0).echoedHeader("X-Client"));
        assertEquals("198.51.100.9", responses.get(1).echoedHeader("X-Client"), "not the first request's client");
        assertEquals("127.0.0.1", responses.get(2).echoedHeader("X-Client"), "no chain: the proxy itself");
        assertEquals("198.51.100.9, 127.0.0.1", responses.get(1).echoedHeader("X-Forwarded-For"));
    }

    @Test
    void anUntrustedPeerIsTheClientOfEveryRequestOfItsConnection() throws Exception {
        java.util.List<RawHttp.Response> responses = throughOneConnection("10.0.0.0/8",
                new String[] {}, new String[] {"X-Forwarded-For: 6.6.6.6"});
        assertEquals("127.0.0.1", responses.get(0).echoedHeader("X-Client"));
        assertEquals("127.0.0.1", responses.get(1).echoedHeader("X-Client"));
        assertEquals("127.0.0.1", responses.get(1).echoedHeader("X-Real-IP"));
    }
}
