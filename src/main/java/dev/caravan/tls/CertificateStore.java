package dev.caravan.tls;

import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The certificates of one folder, kept current. It loads every pair at start-up, then polls the folder's content and
 * reloads only the pairs whose files changed. A changed pair that cannot be served (unreadable, corrupt, key not
 * matching) is rejected with an error naming the file, and the certificate it was meant to replace keeps serving.
 * With no certificate in the folder, a self-signed development certificate for {@code localhost} serves.
 */
public final class CertificateStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateStore.class);
    private static final String DEFAULT_NAME = "default";

    private final TlsSettings settings;
    private final TlsPolicy policy;
    private final CertificateLoader loader;
    private final SniCertificates certificates;
    /** Served certificates by pair name, in name order. */
    private Map<String, ServedCertificate> current = Map.of();
    /** File content hashes as last applied, and as seen by the previous check when they differed from those. */
    private Map<Path, String> applied = Map.of();
    private Map<Path, String> pending;
    private ServedCertificate development;
    private ScheduledExecutorService watcher;

    /**
     * @param offerH2  ALPN offers {@code h2} before {@code http/1.1} (the listener speaks HTTP/2)
     * @param provider the TLS implementation every context of this store is built with
     */
    public CertificateStore(TlsSettings settings, boolean offerH2, SslProvider provider) {
        this.settings = settings;
        this.policy = new TlsPolicy(settings, offerH2, provider);
        this.loader = new CertificateLoader(policy, settings.keystorePassword());
        this.certificates = new SniCertificates(new CertificateIndex(List.of(), null));
    }

    /** Loads the folder at start-up; a pair that cannot be served stops the start, like an invalid route file. */
    public synchronized void loadInitial() throws CertificateFileException {
        apply(snapshot(), true);
    }

    /** Polls the folder for changes (by content, so copies, renames and bind-mounted secrets are all seen). */
    public void watch() {
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-certificate-watcher");
            t.setDaemon(true);
            return t;
        });
        long interval = settings.reloadIntervalMillis();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.error("Certificate reload check failed: {}", e.toString(), e);
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
        // a process outlives its certificates' loading by months: repeat the expiry warnings daily, not only at load
        watcher.scheduleAtFixedRate(this::warnAboutExpiringCertificates, 1, 1, TimeUnit.DAYS);
        LOG.info("Watching {} for certificate changes every {} ms", settings.certsDir().toAbsolutePath(), interval);
    }

    /** Logs a warning for every served certificate that expires within {@code expiryWarningDays} or has expired. */
    public synchronized void warnAboutExpiringCertificates() {
        current.values().forEach(this::warnIfExpiring);
    }

    /**
     * Applies the folder's content if it changed and has stayed unchanged for one check since: a renewal usually
     * writes the certificate and the key one after the other, and the pair must not be judged half-written.
     * Returns true if the certificates were re-read.
     */
    public synchronized boolean reloadIfChanged() {
        Map<Path, String> snapshot = snapshot();
        if (snapshot.equals(applied)) {
            pending = null;
            return false;
        }
        if (!snapshot.equals(pending)) {
            pending = snapshot;
            return false;
        }
        pending = null;
        try {
            apply(snapshot, false);
        } catch (CertificateFileException e) {
            throw new IllegalStateException("unreachable: reloads reject files instead of failing", e);
        }
        return true;
    }

    /** The certificates served now, by name (the development certificate when the folder has none) (observe). */
    public synchronized List<ServedCertificate> served() {
        if (current.isEmpty() && development != null) {
            return List.of(development);
        }
        return List.copyOf(current.values());
    }

    public TlsTermination termination() {
        return new TlsTermination(certificates, settings.handshakeTimeoutMillis());
    }

    public SniCertificates certificates() {
        return certificates;
    }

    /** The TLS implementation serving these certificates. */
    public SslProvider provider() {
        return policy.provider();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    private void apply(Map<Path, String> snapshot, boolean initial) throws CertificateFileException {
        Set<Path> unpaired = new TreeSet<>();
        Map<String, CertificateFiles> pairs = CertificateFiles.pair(snapshot.keySet(), unpaired);
        for (Path file : unpaired) {
            LOG.warn("Certificate folder: ignoring {} (a certificate is a <name>.crt or <name>.pem with its "
                    + "<name>.key)", file);
        }
        Map<String, ServedCertificate> next = new LinkedHashMap<>();
        for (CertificateFiles files : pairs.values()) {
            String fingerprint = snapshot.get(files.certificate()) + "/" + snapshot.get(files.key());
            ServedCertificate previous = current.get(files.name());
            if (previous != null && previous.fingerprint().equals(fingerprint)) {
                next.put(files.name(), previous);
                continue;
            }
            try {
                ServedCertificate loaded = loader.load(files, fingerprint);
                next.put(files.name(), loaded);
                LOG.info("{} certificate '{}': {}", previous == null ? "Serving" : "Renewed", files.name(),
                        loaded.describe());
                warnIfExpiring(loaded);
            } catch (CertificateFileException e) {
                if (initial) {
                    throw e;
                }
                if (previous != null) {
                    next.put(files.name(), previous);
                    LOG.error("Rejected certificate change, the previous certificate '{}' keeps serving: {}",
                            files.name(), e.getMessage());
                } else {
                    LOG.error("Rejected new certificate '{}', it is not served: {}", files.name(), e.getMessage());
                }
            }
        }
        for (ServedCertificate gone : current.values()) {
            if (next.containsKey(gone.name())) {
                continue;
            }
            if (unpaired.stream().anyMatch(file -> baseName(file).equals(gone.name()))) {
                // one half of the pair is missing (mid-copy, or a mistake): keep serving rather than go dark
                next.put(gone.name(), gone);
                LOG.error("Certificate '{}' lost its certificate or key file; the previous certificate keeps serving",
                        gone.name());
            } else {
                LOG.info("Certificate '{}' removed: {} no longer served", gone.name(), gone.hostnames());
            }
        }
        ServedCertificate defaultCertificate = next.containsKey(DEFAULT_NAME) ? next.get(DEFAULT_NAME)
                : next.values().stream().findFirst().orElse(null);
        if (defaultCertificate == null) {
            defaultCertificate = development();
        }
        current = next;
        applied = snapshot;
        certificates.publish(new CertificateIndex(next.values(), defaultCertificate));
    }

    private ServedCertificate development() {
        if (development == null) {
            development = DevelopmentCertificate.generate(policy);
        }
        LOG.warn("No certificate in {}: serving a self-signed DEVELOPMENT certificate for localhost that no client "
                        + "trusts. Put <name>.crt and <name>.key (PEM) there for real use; see docs/tls.md",
                settings.certsDir().toAbsolutePath());
        return development;
    }

    private void warnIfExpiring(ServedCertificate certificate) {
        Instant notAfter = certificate.leaf().getNotAfter().toInstant();
        Instant now = Instant.now();
        if (notAfter.isBefore(now)) {
            LOG.warn("Certificate '{}' EXPIRED on {}: clients will refuse it. {}", certificate.name(), notAfter,
                    certificate.describe());
        } else if (notAfter.isBefore(now.plus(Duration.ofDays(settings.expiryWarningDays())))) {
            LOG.warn("Certificate '{}' expires in {} day(s), on {}: renew it. {}", certificate.name(),
                    Duration.between(now, notAfter).toDays(), notAfter, certificate.describe());
        }
    }

    /** The content hash of every candidate file in the folder; an unreadable file gets a marker instead. */
    private Map<Path, String> snapshot() {
        Map<Path, String> files = new TreeMap<>();
        Path dir = settings.certsDir();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(CertificateFiles::isCandidate).filter(Files::isRegularFile)
                    .forEach(file -> files.put(file, hash(file)));
        } catch (IOException e) {
            LOG.error("Cannot list the certificate folder {}: {}", dir.toAbsolutePath(), e.toString());
            return applied;
        }
        return files;
    }

    private static String hash(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            // a changing marker would re-trigger every check; this one changes only with the error
            return "unreadable: " + e;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }
}
