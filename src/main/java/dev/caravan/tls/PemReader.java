package dev.caravan.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads PEM content. Keys go through BouncyCastle's parser because the JDK only reads PKCS#8, while real key files
 * also come as PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}, often after an
 * {@code EC PARAMETERS} block).
 */
final class PemReader {

    private PemReader() {
    }

    /** The certificates of a PEM chain file, in file order (leaf first). */
    static List<X509Certificate> certificates(Path file, byte[] content) throws CertificateFileException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (var certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(content))) {
                chain.add((X509Certificate) certificate);
            }
        } catch (CertificateException | RuntimeException e) {
            throw new CertificateFileException(file,
                    "not a readable PEM certificate chain (" + e.getMessage() + ")", e);
        }
        if (chain.isEmpty()) {
            throw new CertificateFileException(file, "contains no certificate");
        }
        return chain;
    }

    /** The first private key in a PEM file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC); not encrypted. */
    static PrivateKey privateKey(Path file, byte[] content) throws CertificateFileException {
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    // only the private part: a SEC1 EC key may omit its public point
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new CertificateFileException(file,
                            "the private key is encrypted; Caravan needs it unencrypted (protect the file instead)");
                }
                // anything else (EC PARAMETERS, a certificate) is skipped
            }
        } catch (IOException | RuntimeException e) {
            throw new CertificateFileException(file, "not a readable PEM private key (" + e.getMessage() + ")", e);
        }
        throw new CertificateFileException(file, "contains no private key");
    }
}
