package dev.caravan.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A backend that answers each request head with exact bytes a test scripts (malformed, overlong, odd framing), on a
 * plain socket: what no well-behaved server library would send. Requests are read up to their empty line; bodies are
 * not expected.
 */
public final class ScriptedBackend implements AutoCloseable {

    private final ServerSocket server;
    private final Function<String, String> script;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** {@code script} maps a request line ({@code GET /x HTTP/1.1}) to the raw bytes to answer it with. */
    public ScriptedBackend(Function<String, String> script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "scripted-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                sockets.add(socket);
                connections.incrementAndGet();
                Thread serve = new Thread(() -> serve(socket), "scripted-backend-conn");
                serve.setDaemon(true);
                serve.start();
            }
        } catch (IOException closed) {
            // closed by close()
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                String head = MessageHead.read(in);
                if (head == null) {
                    return;
                }
                String requestLine = head.substring(0, head.indexOf("\r\n"));
                requestLines.add(requestLine);
                out.write(script.apply(requestLine).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the gateway closed the connection
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public List<String> requestLines() {
        return requestLines;
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
