import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket round-trip load for bench/websocket.sh: CONNECTIONS sockets (JDK client), each sending a SIZE-byte text
 * message and waiting for its echo before the next, for SECONDS. Prints "messages_per_sec p50_us p99_us errors".
 * Usage: java WsLoad.java URL CONNECTIONS SECONDS SIZE
 */
public class WsLoad {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String message = "x".repeat(Integer.parseInt(args[3]));
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket socket = new Socket(message, deadline);
            socket.ws = client.newWebSocketBuilder().buildAsync(uri, socket).get(10, TimeUnit.SECONDS);
            sockets.add(socket);
        }
        long start = System.nanoTime();
        sockets.forEach(Socket::next);
        for (Socket socket : sockets) {
            socket.done.await(seconds + 30, TimeUnit.SECONDS);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long count = 0;
        int errors = 0;
        List<long[]> all = new ArrayList<>();
        for (Socket socket : sockets) {
            count += socket.n;
            errors += socket.errors;
            all.add(Arrays.copyOf(socket.rtts, socket.n));
        }
        long[] rtts = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("%.0f %.0f %.0f %d%n", count / elapsed, percentile(rtts, 0.50) / 1e3,
                percentile(rtts, 0.99) / 1e3, errors);
        for (Socket socket : sockets) {
            socket.ws.sendClose(1000, "bye");
        }
        System.exit(0);
    }

    static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    static final class Socket implements WebSocket.Listener {
        final String message;
        final long deadline;
        final CountDownLatch done = new CountDownLatch(1);
        long[] rtts = new long[1 << 16];
        int n;
        int errors;
        long sent;
        WebSocket ws;
        CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);
        final StringBuilder received = new StringBuilder();

        Socket(String message, long deadline) {
            this.message = message;
            this.deadline = deadline;
        }

        void next() {
            if (System.nanoTime() >= deadline) {
                done.countDown();
                return;
            }
            sent = System.nanoTime();
            sending = ws.sendText(message, true);
            sending.exceptionally(e -> {
                error("send", e);
                done.countDown();
                return null;
            });
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.append(data);
            webSocket.request(1);
            if (last) {
                if (received.length() != message.length()) {
                    error("echo of " + received.length() + " chars", null);
                }
                received.setLength(0);
                if (n == rtts.length) {
                    rtts = Arrays.copyOf(rtts, n * 2);
                }
                rtts[n++] = System.nanoTime() - sent;
                // the echo can arrive before the JDK reports the send complete; a new send must wait for that
                sending.thenRun(this::next);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            error("socket", error);
            done.countDown();
        }

        void error(String what, Throwable cause) {
            if (errors++ < 3) {
                System.err.println("error: " + what + (cause == null ? "" : ": " + cause));
            }
        }
    }
}
