package dev.caravan.listen;

import dev.caravan.testing.RunningGateway;
import dev.caravan.testing.TestBackend;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One connection cannot exhaust the gateway's memory by pipelining requests and never reading: once the client stops
 * draining what was written, the next pipelined request waits instead of being sent to the backend.
 */
class PipelineBackpressureTest {

    @Test
    void aClientThatPipelinesAndNeverReadsGetsNoMoreRequestsStarted() throws Exception {
        try (TestBackend backend = TestBackend.start("b");
             RunningGateway gateway = RunningGateway.start(Path.of("src/test/resources/routes/forwarding"),
                     Map.of("backend.url", backend.url(), "dead.url", "http://127.0.0.1:1"));
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
            String one = "GET /download/60000 HTTP/1.1\r\nHost: a\r\n\r\n";
            socket.getOutputStream().write(one.repeat(300).getBytes(StandardCharsets.ISO_8859_1));
            // it reads nothing; wait until the backend's request count stops growing
            int last = -1;
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < deadline) {
                int now = backend.requests().size();
                if (now > 0 && now == last) {
                    break;
                }
                last = now;
                Thread.sleep(500);
            }
            // what was started fits the kernel's socket buffers (a few MiB on loopback) plus the channel's 128 KiB
            // high-water mark; before this fix every one of the 300 was sent and its answer buffered in the gateway
            int started = backend.requests().size();
            assertTrue(started < 100, started + " of 300 pipelined requests were sent to the backend for a client that reads"
                    + " nothing");
        }
    }
}
