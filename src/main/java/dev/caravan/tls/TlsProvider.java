package dev.caravan.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * {@code caravan.tls.provider}: which TLS implementation serves the {@code https} listener and connects to
 * {@code https://} backends. OpenSSL here means BoringSSL from netty-tcnative-boringssl-static (several times the
 * JDK's full handshakes per core); the JDK's SunJSSE needs no native library.
 */
public enum TlsProvider {
    /** OpenSSL when its native library loads on this machine, else the JDK (with an INFO line saying why). */
    AUTO,
    /** OpenSSL, or no start. */
    OPENSSL,
    /** The JDK's own TLS. */
    JDK;

    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);

    public static TlsProvider parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "caravan.tls.provider must be auto, openssl or jdk, was '" + value + "'", e);
        }
    }

    /**
     * The Netty provider this setting stands for on this machine. {@link SslProvider#OPENSSL}, not the reference
     * counted variant: a context replaced by a renewal is freed when the last connection using it is gone, with no
     * count to keep.
     *
     * @throws IllegalStateException for {@link #OPENSSL} when the native library cannot be loaded, saying why
     */
    public SslProvider select() {
        return switch (this) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("caravan.tls.provider=openssl, but OpenSSL cannot be used here: "
                            + unavailability() + " (set caravan.tls.provider=auto or jdk to use the JDK's TLS)");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> {
                if (OpenSsl.isAvailable()) {
                    yield SslProvider.OPENSSL;
                }
                LOG.info("caravan.tls.provider=auto: OpenSSL cannot be used here ({}); the JDK's TLS serves",
                        unavailability());
                yield SslProvider.JDK;
            }
        };
    }

    /** How a chosen provider is named in the start-up line, with its version where it has one. */
    public static String describe(SslProvider provider) {
        if (provider == SslProvider.JDK) {
            return "the JDK (SunJSSE, Java " + Runtime.version() + ")";
        }
        return OpenSsl.versionString() + " (netty-tcnative)";
    }

    private static String unavailability() {
        Throwable cause = OpenSsl.unavailabilityCause();
        if (cause == null) {
            return "unknown reason";
        }
        if (cause instanceof ClassNotFoundException || cause instanceof NoClassDefFoundError) {
            return "netty-tcnative-boringssl-static is not on the class path";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }
}
