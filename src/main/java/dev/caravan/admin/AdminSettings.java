package dev.caravan.admin;

import java.nio.file.Path;

/**
 * Where the admin listener binds and who may use it.
 *
 * @param users          an htpasswd file with bcrypt hashes: every request then needs Basic credentials; null for none
 * @param allow          addresses and ranges that may connect (comma-separated); empty for any
 * @param refreshSeconds how often the status page reloads itself
 */
public record AdminSettings(String host, int port, Path users, String allow, int refreshSeconds) {
}
