package dev.caravan.testing;

import java.io.IOException;
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
    private final BoundPorts ports;
    private final int httpPort;

    private ForkedGateway(Process process, Path log) throws IOException, InterruptedException {
        this.process = process;
        this.log = log;
        this.ports = new BoundPorts(process, log, Duration.ofSeconds(30));
        this.httpPort = ports.listener("http");
    }

    /**
     * Starts with these {@code --name=value} arguments and waits until it accepts. Every listener binds port 0 (the
     * gateway's start-up lines name the ports), so no other process can take a port chosen here.
     */
    public static ForkedGateway start(Path workDir, Path routes, List<String> jvmOptions, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the production logging, not the tests' WARN-only one: the start-up lines name the bound ports
        command.add("-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", ForkClasspath.get(), "dev.caravan.Caravan",
                "--caravan.http.host=127.0.0.1", "--caravan.http.port=0", "--caravan.https.port=0",
                "--caravan.routes.dir=" + routes, "--caravan.routes.reload=false", "--caravan.admin.port=0"));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile(workDir, "gateway-", ".log");
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new ForkedGateway(process, log);
    }

    public int port() {
        return httpPort;
    }

    /**
     * The https listener's port, once it accepts: the listeners bind one after the other, so the http one accepting
     * (what {@link #start} waits for) does not mean the https one does yet (CI once connected in between).
     */
    public int httpsPort() throws IOException, InterruptedException {
        return ports.listener("https");
    }

    /** The admin listener's port (on by default; it binds port 0 here too). */
    public int adminPort() throws IOException, InterruptedException {
        return ports.admin();
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
