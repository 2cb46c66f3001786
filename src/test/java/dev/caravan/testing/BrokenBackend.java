package dev.caravan.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A backend that fails in one way, for failover tests: it never answers, or it answers every request one status. */
public final class BrokenBackend implements AutoCloseable {

    private final int port;
    private final AutoCloseable server;

    private BrokenBackend(int port, AutoCloseable server) {
        this.port = port;
        this.server = server;
    }

    /**
     * Refuses every connection: a port bound and never listened on, held until {@link #close}. A port found free and
     * closed again (the usual "dead backend") can be handed to another test's listener in the meantime, which then
     * answers in the dead backend's place; a bound port cannot.
     */
    public static BrokenBackend refusing() throws IOException {
        Socket reserved = new Socket();
        reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new BrokenBackend(reserved.getLocalPort(), reserved::close);
    }

    /** Accepts connections and reads nothing, answers nothing. */
    public static BrokenBackend silent() throws IOException {
        ServerSocket socket = new ServerSocket(0);
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(socket.accept());
                }
            } catch (IOException closed) {
                // closed by close()
            }
        }, "silent-backend");
        acceptor.setDaemon(true);
        acceptor.start();
        return new BrokenBackend(socket.getLocalPort(), () -> {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        });
    }

    /** Answers every request with this status and no body. */
    public static BrokenBackend answering(int status) throws IOException {
        return answering(status, 0, null);
    }

    /** Answers every request with this status after {@code delayMillis}, with {@code body} (null for none). */
    public static BrokenBackend answering(int status, long delayMillis, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "broken-backend");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (body == null) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
        return new BrokenBackend(server.getAddress().getPort(), () -> server.stop(0));
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the broken backend", e);
        }
    }
}
