package dev.caravan.access;

import org.springframework.security.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loaded htpasswd file with bcrypt hashes ({@code user:$2y$10$...}, as {@code htpasswd -B} writes them; {@code #}
 * comments). A bcrypt check costs tens of milliseconds on purpose, so {@link #verify} runs off the event loops, and a
 * check that succeeded is remembered (for this version of the file) so a client sending the same credentials again is
 * let on without paying it again.
 */
// public for the admin listener's Basic auth (observe)
public final class HtpasswdUsers {

    static final FileFormat<HtpasswdUsers> FORMAT = new FileFormat<>() {
        @Override
        public String what() {
            return "users";
        }

        @Override
        public HtpasswdUsers parse(Path file, byte[] content) throws FileFormatException {
            return HtpasswdUsers.parse(file, content);
        }
    };

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    private static final int MAX_REMEMBERED = 10_000;

    private final Map<String, String> hashes;
    /** Checked for a user the file does not have, at the cost of its costliest hash: the same work either way. */
    private final String unknownUserHash;
    private final byte[] rememberKey = new byte[32];
    private final Map<String, Boolean> remembered = new ConcurrentHashMap<>();

    private HtpasswdUsers(Map<String, String> hashes, int cost) {
        this.hashes = hashes;
        this.unknownUserHash = BCrypt.hashpw("no such user", BCrypt.gensalt(cost));
        new SecureRandom().nextBytes(rememberKey);
    }

    public static HtpasswdUsers parse(Path file, byte[] content) throws FileFormatException {
        Map<String, String> hashes = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        int cost = 4;
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new FileFormatException(file, i + 1, "expected 'user:bcrypt-hash'");
            }
            String user = line.substring(0, colon);
            Matcher hash = BCRYPT.matcher(line.substring(colon + 1));
            if (!hash.matches()) {
                throw new FileFormatException(file, i + 1, "the hash of '" + user + "' is not bcrypt ($2y$, $2b$ or"
                        + " $2a$, as htpasswd -B writes); other kinds are not accepted");
            }
            int rounds = Integer.parseInt(hash.group(1));
            if (rounds < 4 || rounds > 17) {
                // htpasswd's own range; a higher cost would take minutes per check
                throw new FileFormatException(file, i + 1, "bcrypt cost " + rounds + " is not between 4 and 17");
            }
            Integer earlier = lineOf.putIfAbsent(user, i + 1);
            if (earlier != null) {
                throw new FileFormatException(file, i + 1, "user '" + user + "' is already on line " + earlier);
            }
            hashes.put(user, hash.group());
            cost = Math.max(cost, rounds);
        }
        return new HtpasswdUsers(Map.copyOf(hashes), hashes.isEmpty() ? 10 : cost);
    }

    /** True if these credentials were checked and right before (cheap: no bcrypt). */
    public boolean verifiedBefore(String user, String password) {
        return remembered.containsKey(rememberKey(user, password));
    }

    /**
     * Checks a user's password with bcrypt (slow, on purpose: never on an event loop). A user the file does not have
     * costs the same bcrypt work as one it has, so timing does not tell which users exist.
     */
    public boolean verify(String user, String password) {
        String hash = hashes.get(user);
        boolean matches = BCrypt.checkpw(password, hash != null ? hash : unknownUserHash);
        if (!matches || hash == null) {
            return false;
        }
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(rememberKey(user, password), Boolean.TRUE);
        return true;
    }

    /** A keyed hash of the credentials: what is remembered is neither the password nor a plain hash of it. */
    private String rememberKey(String user, String password) {
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer all = java.nio.ByteBuffer.allocate(rememberKey.length + 4 + u.length + p.length);
        all.put(rememberKey).putInt(u.length).put(u).put(p); // the length keeps ("a", "bc") apart from ("ab", "c")
        return HexFormat.of().formatHex(WatchedFile.sha256(all.array()));
    }

    /** The bcrypt cost of the check an unknown user gets. */
    int unknownUserCost() {
        return Integer.parseInt(unknownUserHash.substring(4, 6));
    }

    int size() {
        return hashes.size();
    }
}
