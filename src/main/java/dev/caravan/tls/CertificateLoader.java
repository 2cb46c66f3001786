package dev.caravan.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Loads a certificate pair and checks it can really be served: both files readable, a chain, a key, and the key
 * belonging to the chain's first certificate (a renewal that copied a new certificate but kept the old key must be
 * caught here, not by every client's failing handshake).
 */
public final class CertificateLoader {

    private final TlsPolicy policy;
    private final char[] keystorePassword;

    /** {@code keystorePassword} opens PKCS#12 files ({@code caravan.tls.keystorePassword}). */
    public CertificateLoader(TlsPolicy policy, String keystorePassword) {
        this.policy = policy;
        this.keystorePassword = keystorePassword == null ? new char[0] : keystorePassword.toCharArray();
    }

    public ServedCertificate load(CertificateFiles files, String fingerprint) throws CertificateFileException {
        List<X509Certificate> chain;
        PrivateKey key;
        if (CertificateFiles.isKeystore(files.certificate())) {
            KeyStoreEntry entry = keystoreEntry(files.certificate());
            chain = entry.chain();
            key = entry.key();
        } else {
            chain = PemReader.certificates(files.certificate(), read(files.certificate()));
            key = PemReader.privateKey(files.key(), read(files.key()));
        }
        X509Certificate leaf = chain.get(0);
        if (!matches(key, leaf.getPublicKey())) {
            throw new CertificateFileException(files.key(), "the private key does not match the certificate in "
                    + files.certificate().getFileName() + " (subject " + leaf.getSubjectX500Principal() + ")");
        }
        List<String> names = CertificateNames.of(leaf);
        if (names.isEmpty()) {
            throw new CertificateFileException(files.certificate(),
                    "the certificate names no host (no DNS SAN, no CN)");
        }
        try {
            return new ServedCertificate(files.name(), files.certificate().toString(), fingerprint, names, leaf,
                    policy.serverContext(key, chain));
        } catch (Exception e) {
            throw new CertificateFileException(files.certificate(), "cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    private record KeyStoreEntry(PrivateKey key, List<X509Certificate> chain) {
    }

    /** The first key entry of a PKCS#12 file, with its chain. */
    private KeyStoreEntry keystoreEntry(Path file) throws CertificateFileException {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (java.io.InputStream in = new java.io.ByteArrayInputStream(read(file))) {
                store.load(in, keystorePassword);
            }
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    PrivateKey key = (PrivateKey) store.getKey(alias, keystorePassword);
                    List<X509Certificate> chain = new java.util.ArrayList<>();
                    for (java.security.cert.Certificate certificate : store.getCertificateChain(alias)) {
                        chain.add((X509Certificate) certificate);
                    }
                    return new KeyStoreEntry(key, chain);
                }
            }
            throw new CertificateFileException(file, "the keystore holds no private key entry");
        } catch (IOException | GeneralSecurityException e) {
            throw new CertificateFileException(file, "cannot be opened as PKCS#12 (wrong caravan.tls.keystorePassword?): "
                    + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) throws CertificateFileException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CertificateFileException(file, "cannot be read (" + e + ")", e);
        }
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
