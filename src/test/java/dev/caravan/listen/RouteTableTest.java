package dev.caravan.listen;

import dev.caravan.http.ProxyExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Dispatch precedence during a swap: the newest binding for a host and path wins; unbinding it restores the older. */
class RouteTableTest {

    private final RouteTable table = new RouteTable(request -> { });

    @Test
    void theNewestBindingOfTheSameHostAndPathWins() {
        RequestHandler old = new Handler();
        RequestHandler successor = new Handler();
        table.bind(old, HostPattern.parse("*"), "/app");
        table.bind(successor, HostPattern.parse("*"), "app");
        assertSame(successor, table.match("h", "/app/x"));

        table.unbind(successor); // a rolled-back change
        assertSame(old, table.match("h", "/app/x"));
        table.unbind(old);
        assertNull(table.match("h", "/app/x"));
    }

    @Test
    void specificityStillComesFirst() {
        RequestHandler exactHost = new Handler();
        RequestHandler anyHost = new Handler();
        RequestHandler longerPath = new Handler();
        table.bind(exactHost, HostPattern.parse("a.example.com"), "/");
        table.bind(longerPath, HostPattern.parse("*"), "/api");
        table.bind(anyHost, HostPattern.parse("*"), "/");
        assertSame(exactHost, table.match("a.example.com", "/api/x"), "exact host beats a newer any-host route");
        assertSame(longerPath, table.match("b.example.com", "/api/x"), "longer path beats a newer shorter one");
        assertSame(anyHost, table.match("b.example.com", "/other"));
    }

    private static final class Handler implements RequestHandler {
        @Override
        public void handle(ProxyExchange request) {
        }

        @Override
        public int inflight() {
            return 0;
        }

        @Override
        public int open() {
            return 0;
        }

        @Override
        public void abortOpen() {
        }
    }
}
