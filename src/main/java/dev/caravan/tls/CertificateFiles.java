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
 * and {@code <name>.key}, its private key.
 */
public record CertificateFiles(String name, Path certificate, Path key) {

    /** True for the file names this folder's pairs are made of (anything else, such as a README, is ignored). */
    public static boolean isCandidate(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".crt") || name.endsWith(".pem") || name.endsWith(".key"));
    }

    /**
     * Pairs the given files by base name, sorted by name. A {@code .crt} wins over a {@code .pem} of the same name;
     * files without their other half are reported in {@code unpaired}.
     */
    public static Map<String, CertificateFiles> pair(Collection<Path> files, Set<Path> unpaired) {
        Map<String, Path> certificates = new TreeMap<>();
        Map<String, Path> keys = new TreeMap<>();
        for (Path file : new TreeSet<>(files)) {
            String fileName = file.getFileName().toString();
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
        Map<String, CertificateFiles> pairs = new TreeMap<>();
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
