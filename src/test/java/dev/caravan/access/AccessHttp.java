package dev.caravan.access;

import dev.caravan.testing.RawHttp;
import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import io.netty.handler.codec.http.HttpRequest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.fail;

/** Requests for the access tests: exact bytes over a fresh connection, and waiting for a condition with a deadline. */
final class AccessHttp {

    private AccessHttp() {
    }

    static RawHttp.Response send(RunningGateway gateway, String method, String target, String... headers)
            throws Exception {
        StringBuilder raw = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: access.test\r\n");
        for (String header : headers) {
            raw.append(header).append("\r\n");
        }
        try (RawHttp http = new RawHttp(gateway.port())) {
            return http.exchange(raw.append("\r\n").toString());
        }
    }

    static RawHttp.Response get(RunningGateway gateway, String target, String... headers) throws Exception {
        return send(gateway, "GET", target, headers);
    }

    /** The targets the backend received, in order. */
    static List<String> targets(TestBackend backend) {
        return backend.requests().stream().map(HttpRequest::uri).toList();
    }

    /** Waits until {@code condition} holds (a file change to be picked up, a key set to be fetched), or fails. */
    static void eventually(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                fail("Not within 20 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
