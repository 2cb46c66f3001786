package dev.caravan.tls;

import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Certificates made at test time (no private key is ever committed): self-signed, with the names and serial a test
 * wants, written as PEM in the key formats real deployments use.
 */
final class TestCertificates {

    enum KeyType { RSA, EC }

    /** How the key file is written: PKCS#8 ({@code PRIVATE KEY}) or the algorithm's own form (PKCS#1 / SEC1). */
    enum KeyFormat { PKCS8, TRADITIONAL }

    private TestCertificates() {
    }

    record Issued(X509Certificate certificate, PrivateKey key) {

        String certificatePem() {
            return pem(certificate);
        }

        String keyPem(KeyFormat format) {
            try {
                if (format == KeyFormat.PKCS8) {
                    return pem(new JcaPKCS8Generator(key, null));
                }
                if (key instanceof ECPrivateKey ec) {
                    // SEC1 as openssl writes it, with the curve inside (BouncyCastle's writer would leave it out)
                    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                    ASN1Primitive curve = info.getPrivateKeyAlgorithm().getParameters().toASN1Primitive();
                    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(), curve).getEncoded();
                    return pem(new PemObject("EC PRIVATE KEY", sec1));
                }
                return pem(key); // RSA: PKCS#1

            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes {@code <name>.<extension>} and {@code <name>.key}. */
        void writeTo(Path dir, String name, String extension, KeyFormat format) throws IOException {
            Files.writeString(dir.resolve(name + "." + extension), certificatePem());
            Files.writeString(dir.resolve(name + ".key"), keyPem(format));
        }

        void writeTo(Path dir, String name) throws IOException {
            writeTo(dir, name, "crt", KeyFormat.PKCS8);
        }
    }

    static Issued issue(long serial, KeyType type, String... dnsNames) {
        return issue(serial, type, Duration.ofDays(365), dnsNames);
    }

    static Issued issue(long serial, KeyType type, Duration validFor, String... dnsNames) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
            if (type == KeyType.EC) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(2048);
            }
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + dnsNames[0] + ",O=Caravan test " + serial);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(serial),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(validFor)), subject, keys.getPublic());
            GeneralName[] names = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            String algorithm = type == KeyType.EC ? "SHA256withECDSA" : "SHA256withRSA";
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
            return new Issued(certificate, keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
