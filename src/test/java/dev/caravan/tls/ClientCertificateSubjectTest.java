package dev.caravan.tls;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Reading a client certificate's subject. The mTLS cases themselves, with real handshakes on both TLS providers, are in
 * {@link ClientCertificateTest} and {@link TlsProviderTest}.
 */
class ClientCertificateSubjectTest {

    /**
     * With {@code clientAuth=none} the engine is not asked for the client's certificate: both providers answer by
     * throwing, and that cost a stack trace per HTTP/2 stream.
     */
    @Test
    void anEngineThatAskedForNoCertificateIsNotAskedForOne() {
        assertNull(ClientCertificateSubject.of(new NeverAsked()));
    }

    @Test
    void anEngineThatAskedAndGotNoneGivesNoSubject() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setWantClientAuth(true);
        assertNull(ClientCertificateSubject.of(engine)); // no handshake yet: the peer is unverified
    }

    @Test
    void aConnectionWithoutTlsHasNoSubject() {
        EmbeddedChannel plain = new EmbeddedChannel();
        assertNull(ClientCertificateSubject.of(plain));
        assertNull(ClientCertificateSubject.of(plain));
        plain.finishAndReleaseAll();
    }

    /** A server engine configured with no client authentication, which fails the test if asked for its session. */
    private static final class NeverAsked extends SSLEngine {

        @Override
        public boolean getNeedClientAuth() {
            return false;
        }

        @Override
        public boolean getWantClientAuth() {
            return false;
        }

        @Override
        public SSLSession getSession() {
            throw new AssertionError("asked for the session of an engine that requested no client certificate");
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Runnable getDelegatedTask() {
            return null;
        }

        @Override
        public void closeInbound() {
        }

        @Override
        public boolean isInboundDone() {
            return false;
        }

        @Override
        public void closeOutbound() {
        }

        @Override
        public boolean isOutboundDone() {
            return false;
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return new String[0];
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return new String[0];
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
        }

        @Override
        public String[] getSupportedProtocols() {
            return new String[0];
        }

        @Override
        public String[] getEnabledProtocols() {
            return new String[0];
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
        }

        @Override
        public void beginHandshake() {
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
        }

        @Override
        public void setUseClientMode(boolean mode) {
        }

        @Override
        public boolean getUseClientMode() {
            return false;
        }

        @Override
        public void setNeedClientAuth(boolean need) {
        }

        @Override
        public void setWantClientAuth(boolean want) {
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
        }

        @Override
        public boolean getEnableSessionCreation() {
            return false;
        }
    }
}
