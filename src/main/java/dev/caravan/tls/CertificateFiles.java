package dev.caravan.tls;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One certificate as it lies in the folder: {@code <name>.crt} (or {@code <name>.pem}), the full chain leaf first,
 * and {@code <name>.key}, its private key; or certbot's names {@code fullchain.pem} (or {@code cert.pem}) with
 * {@code privkey.pem} (or {@code key.pem}); or a PKCS#12 keystore {@code <name>.p12} / {@code <name>.pfx}, whose
 * {@code certificate} and {@code key} are the same file.
 */
public record CertificateFiles(String name, Path certificate, Path key) {

    /** True for the file names this folder's pairs are made of (anything else, such as a README, is ignored). */
    public static boolean isCandidate(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".crt") || name.endsWith(".pem") || name.endsWith(".key")
                || isKeystore(file));
    }

    public static boolean isKeystore(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".p12") || name.endsWith(".pfx");
    }

    /**
     * Pairs the given files by base name, sorted by name. A {@code .crt} wins over a {@code .pem} of the same name;
     * files without their other half are reported in {@code unpaired}.
     */
    public static Map<String, CertificateFiles> pair(Collection<Path> files, Set<Path> unpaired) {
        Map<String, Path> certificates = new TreeMap<>();
        Map<String, Path> keys = new TreeMap<>();
        Map<String, CertificateFiles> pairs = new TreeMap<>();
        Map<String, Path> byName = new TreeMap<>();
        files.forEach(f -> byName.put(f.getFileName().toString(), f));
        Path certbotKey = byName.containsKey("privkey.pem") ? byName.get("privkey.pem") : byName.get("key.pem");
        Path certbotChain = byName.containsKey("fullchain.pem") ? byName.get("fullchain.pem") : byName.get("cert.pem");
        if (certbotKey != null && certbotChain != null) {
            String name = certbotChain.getFileName().toString().replace(".pem", "");
            pairs.put(name, new CertificateFiles(name, certbotChain, certbotKey));
        }
        for (Path file : new TreeSet<>(files)) {
            if (certbotKey != null && certbotChain != null && (file.equals(certbotKey) || file.equals(certbotChain)
                    || file.getFileName().toString().equals("cert.pem") || file.getFileName().toString().equals("chain.pem"))) {
                continue; // certbot's cert.pem and chain.pem are parts of fullchain.pem
            }
            String fileName = file.getFileName().toString();
            if (isKeystore(file)) {
                String base = fileName.substring(0, fileName.lastIndexOf('.'));
                pairs.putIfAbsent(base, new CertificateFiles(base, file, file));
                continue;
            }
            int dot = fileName.lastIndexOf('.');
            String base = fileName.substring(0, dot);
            String extension = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
            if (extension.equals("key")) {
                keys.put(base, file);
            } else if (extension.equals("crt") || !certificates.containsKey(base)) {
                Path replaced = certificates.put(base, file);
                if (replaced != null) {
                    unpaired.add(replaced);
                }
            } else {
                unpaired.add(file);
            }
        }
        certificates.forEach((base, certificate) -> {
            Path key = keys.remove(base);
            if (key == null) {
                unpaired.add(certificate);
            } else {
                pairs.put(base, new CertificateFiles(base, certificate, key));
            }
        });
        unpaired.addAll(keys.values());
        return pairs;
    }
}
