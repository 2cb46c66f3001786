package dev.caravan.admin;

import dev.caravan.access.BasicCredentials;
import dev.caravan.access.CidrMatcher;
import dev.caravan.access.FileFormatException;
import dev.caravan.access.HtpasswdUsers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Who may use the admin listener: an address allow-list (checked when a connection opens) and, with a users file,
 * HTTP Basic with bcrypt hashes ({@code htpasswd -B}, the same format as {@code caravan-basic}). The users file is
 * read at start (a broken one stops the start) and again when its modification time changes; a broken change keeps
 * the previous users. Checks run on the admin thread, never on an event loop.
 */
final class AdminAccess {

    private final CidrMatcher allowed;
    private final Path usersFile;
    private HtpasswdUsers users;
    private FileTime loadedAt;

    AdminAccess(AdminSettings settings) {
        this.allowed = CidrMatcher.parse(settings.allow());
        this.usersFile = settings.users();
        if (usersFile != null) {
            try {
                load();
            } catch (FileFormatException | IOException e) {
                throw new IllegalArgumentException("caravan.admin.users: " + e.getMessage(), e);
            }
        }
    }

    boolean mayConnect(InetAddress address) {
        return allowed.isEmpty() || allowed.matches(address);
    }

    boolean needsCredentials() {
        return usersFile != null;
    }

    /** True when the {@code Authorization} header holds a user and password of the users file. */
    synchronized boolean authorized(String authorization) {
        if (usersFile == null) {
            return true;
        }
        reloadIfChanged();
        BasicCredentials credentials = BasicCredentials.parse(authorization);
        if (credentials == null) {
            return false;
        }
        return users.verifiedBefore(credentials.user(), credentials.password())
                || users.verify(credentials.user(), credentials.password());
    }

    private void reloadIfChanged() {
        try {
            if (!Files.getLastModifiedTime(usersFile).equals(loadedAt)) {
                load();
            }
        } catch (IOException | FileFormatException | UncheckedIOException e) {
            // the previous users stay; the next request tries again
        }
    }

    private void load() throws IOException, FileFormatException {
        FileTime modified = Files.getLastModifiedTime(usersFile);
        users = HtpasswdUsers.parse(usersFile, Files.readAllBytes(usersFile));
        loadedAt = modified;
    }
}
