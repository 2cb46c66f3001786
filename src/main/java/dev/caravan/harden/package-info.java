/**
 * Response hardening, as route steps: {@code caravan-hide} takes out what tells clients which servers stand behind the
 * gateway (identifying headers, custom reason phrases, error bodies with internal details), and
 * {@code caravan-security-headers} adds the browser security headers a backend forgot.
 */
package dev.caravan.harden;
