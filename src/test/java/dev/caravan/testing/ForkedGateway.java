package dev.caravan.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway in a JVM of its own, started as {@code java dev.caravan.Caravan --name=value ...} on {@link ForkClasspath}:
 * for what must not depend on other tests in the same JVM (process-wide settings, memory limits, exit codes).
 */
public final class ForkedGateway implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final int httpsPort;
    private boolean httpsAccepting;

    private ForkedGateway(Process process, Path log, int httpPort, int httpsPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
    }

    /** Starts with these {@code --name=value} arguments (ports are chosen here) and waits until it accepts. */
    public static ForkedGateway start(Path workDir, Path routes, List<String> jvmOptions, String... arguments)
            throws IOException, InterruptedException {
        int http = freePort();
        int https = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", ForkClasspath.get(), "dev.caravan.Caravan",
                "--caravan.http.host=127.0.0.1", "--caravan.http.port=" + http, "--caravan.https.port=" + https,
                "--caravan.routes.dir=" + routes, "--caravan.routes.reload=false", "--caravan.admin.port=0"));
        command.addAll(List.of(arguments));
        Path log = workDir.resolve("gateway-" + http + ".log");
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ForkedGateway gateway = new ForkedGateway(process, log, http, https);
        gateway.awaitAccepting(http);
        return gateway;
    }

    /** Waits (up to 30 s) until {@code port} accepts; fails, ending the process, if it does not. */
    private void awaitAccepting(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    process.destroyForcibly();
                    throw new IllegalStateException("gateway did not start: " + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return httpPort;
    }

    /**
     * The https listener's port, once it accepts: the listeners bind one after the other, so the http port accepting
     * (what {@link #start} waits for) does not mean the https one does yet (CI once connected in between).
     */
    public int httpsPort() throws IOException, InterruptedException {
        if (!httpsAccepting) {
            awaitAccepting(httpsPort);
            httpsAccepting = true;
        }
        return httpsPort;
    }

    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Sends SIGTERM, as a container runtime or systemd stops a service (observe: graceful shutdown). */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to end; returns its exit code, or fails if it has not ended in time. */
    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("gateway still running after " + limit);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
