package dev.caravan.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderMapTest {

    @Test
    void ignoresCaseKeepsFirstSpellingAndOrder() {
        HeaderMap headers = new HeaderMap();
        headers.put("Content-Type", "text/plain");
        headers.put("X-B", "1");
        headers.put("content-type", "application/json");
        assertEquals("application/json", headers.get("CONTENT-TYPE"));
        assertTrue(headers.containsKey("x-b"));
        assertEquals(List.of("Content-Type", "X-B"), List.copyOf(headers.keySet()));
        assertEquals("1", headers.remove("x-B"));
        assertNull(headers.get("X-B"));
        assertEquals(1, headers.size());
        headers.keySet().removeIf(name -> name.startsWith("Content"));
        assertTrue(headers.isEmpty());
    }

    /**
     * Caravan's own main sets it on its context; a class-path service file would impose it on every context of a
     * host application that has Caravan's jar, so there is none.
     */
    @Test
    void onlyCaravansOwnContextUsesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) throws Exception {
        try (org.apache.camel.impl.DefaultCamelContext context = new org.apache.camel.impl.DefaultCamelContext()) {
            context.start();
            org.apache.camel.support.DefaultMessage message = new org.apache.camel.support.DefaultMessage(context);
            message.setHeader("X-A", "1");
            assertFalse(message.getHeaders() instanceof HeaderMap, "a plain context got Caravan's header map");
        }
        assertNull(Thread.currentThread().getContextClassLoader()
                .getResource("META-INF/services/org/apache/camel/headers-map-factory"));
        try (dev.caravan.testing.RunningGateway gateway = dev.caravan.testing.RunningGateway.start(temp,
                Map.of("caravan.https.enabled", "false"))) {
            org.apache.camel.support.DefaultMessage message = new org.apache.camel.support.DefaultMessage(
                    gateway.context());
            message.setHeader("X-A", "1");
            assertTrue(message.getHeaders() instanceof HeaderMap);
        }
    }

    @Test
    void copiesAndUpdatesThroughEntries() {
        HeaderMap headers = new HeaderMap(Map.of("A", 1));
        headers.entrySet().forEach(e -> e.setValue(2));
        assertEquals(2, headers.get("a"));
        assertFalse(headers.containsKey(null));
    }

    @Test
    void mergesWithoutCaseKeepingTheFirstSpelling() {
        HeaderMap headers = new HeaderMap();
        headers.merge("Accept", "a", (x, y) -> x + "," + y);
        headers.merge("ACCEPT", "b", (x, y) -> x + "," + y);
        assertEquals(Map.of("Accept", "a,b"), Map.copyOf(headers));
        headers.merge("accept", "gone", (x, y) -> null);
        assertTrue(headers.isEmpty());
    }

    /**
     * Names over {a, !} all share one Netty ASCII hash (it keeps five bits per character): the map must still find each
     * one (in a tree bin, so lookups do not turn quadratic; requests are also capped at 100 headers).
     */
    @Test
    void namesThatShareAHashAreStillFoundAndKeepTheirOrder() {
        HeaderMap headers = new HeaderMap();
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            StringBuilder name = new StringBuilder("X");
            for (int bit = 0; bit < 10; bit++) {
                name.append((i >> bit & 1) == 0 ? 'a' : '!');
            }
            names.add(name.toString());
        }
        assertEquals(1, names.stream().map(io.netty.util.AsciiString::hashCode).distinct().count(), "they collide");
        for (int i = 0; i < names.size(); i++) {
            headers.put(names.get(i), i);
        }
        for (int i = 0; i < names.size(); i++) {
            assertEquals(i, headers.get(names.get(i).toUpperCase(java.util.Locale.ROOT)));
        }
        assertEquals(names, List.copyOf(headers.keySet()));
    }
}
