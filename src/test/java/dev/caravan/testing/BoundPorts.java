package dev.caravan.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ports a gateway in another JVM bound, read from its start-up lines. Tests hand it port 0: a port found free and
 * closed again before the child binds it can be taken by another process in between (the race {@code
 * BrokenBackend.refusing()} removed from the in-JVM tests).
 */
public final class BoundPorts {

    private static final Pattern ADMIN = Pattern.compile("Admin listener on http://\\S+:(\\d+)/");

    private final Process process;
    private final Path log;
    private final Duration limit;
    private final Map<String, Integer> found = new ConcurrentHashMap<>(); // a port, once read, without the log again

    /** Reads {@code log}, the output of {@code process}, waiting up to {@code limit} for a line. */
    public BoundPorts(Process process, Path log, Duration limit) {
        this.process = process;
        this.log = log;
        this.limit = limit;
    }

    /** The port of listener {@code name} ({@code http}, {@code https}), once its "accepting" line is out. */
    public int listener(String name) throws IOException, InterruptedException {
        return await(Pattern.compile("Listener '" + Pattern.quote(name) + "' accepting .* on \\S+:(\\d+)"),
                "listener '" + name + "'");
    }

    /** The admin listener's port. */
    public int admin() throws IOException, InterruptedException {
        return await(ADMIN, "the admin listener");
    }

    private int await(Pattern line, String what) throws IOException, InterruptedException {
        Integer known = found.get(what);
        if (known != null) {
            return known;
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String output = Files.readString(log);
            Matcher match = line.matcher(output);
            if (match.find()) {
                int port = Integer.parseInt(match.group(1));
                found.put(what, port);
                return port;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not start:\n" + output);
            }
            Thread.sleep(50);
        }
    }
}
