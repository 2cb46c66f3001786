package dev.caravan.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Caravan run as its own JVM ({@code java -cp <test class path> dev.caravan.Caravan args...}), the way
 * {@code java -jar caravan.jar} runs it, with the logging configuration it ships; for what only a process shows:
 * exit codes, exit times, what is printed.
 */
public final class ForkedCaravan {

    private ForkedCaravan() {
    }

    /** What a finished run left: its exit code, how long it ran, and its output (stdout and stderr). */
    public record Result(int exitCode, long millis, String output) {

        public List<String> lines(String containing) {
            return output.lines().filter(l -> l.contains(containing)).toList();
        }
    }

    /** Runs Caravan in {@code workDir} until it exits (at most 60 s, then it is killed and the test fails). */
    public static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        return run(workDir, true, args);
    }

    /**
     * The same; {@code shippedLogging} false leaves the logging configuration to Caravan (a {@code logback.xml} in
     * {@code workDir}, else the first on the class path).
     */
    public static Result run(Path workDir, boolean shippedLogging, String... args)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m"));
        if (shippedLogging) {
            command.add("-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath());
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.caravan.Caravan"));
        command.addAll(List.of(args));
        command.add("--caravan.admin.port=0"); // never the fixed 9901: builds run side by side on this machine
        Path log = Files.createTempFile(workDir, "caravan", ".log");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("Caravan did not exit within 60 s:\n" + Files.readString(log));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return new Result(process.exitValue(), millis, Files.readString(log));
    }
}
