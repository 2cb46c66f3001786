package dev.caravan.testing;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real JDK TLS client connection to the gateway with the handshake details a test checks (protocol, suite, ALPN,
 * the certificate served) and a minimal HTTP/1.1 exchange on top. It trusts any certificate: the tests check which
 * one was served, not whether a CA signed it.
 */
public final class TlsClient implements Closeable {

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    private TlsClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1 (an IP, so the JDK sends no SNI unless {@code sni} is given) and handshakes. */
    public static TlsClient connect(int port, String sni, List<String> protocols, List<String> ciphers) throws IOException {
        return connect(port, sni, protocols, ciphers, null);
    }

    /** Connects presenting a client certificate (mTLS) made of {@code key} and {@code certificate}. */
    public static TlsClient connectWithClientCertificate(int port, PrivateKey key, X509Certificate certificate)
            throws IOException {
        return connect(port, null, null, null, clientCertificateKeys(key, certificate));
    }

    /** A context that trusts any server and presents {@code certificate}: for other clients (the JDK HttpClient). */
    public static SSLContext clientCertificateContext(PrivateKey key, X509Certificate certificate) {
        return trustAll(clientCertificateKeys(key, certificate));
    }

    private static KeyManager[] clientCertificateKeys(PrivateKey key, X509Certificate certificate) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, new char[0], new X509Certificate[]{certificate});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, new char[0]);
            return new KeyManager[]{new AlwaysPresent((javax.net.ssl.X509KeyManager) factory.getKeyManagers()[0])};
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Presents the certificate whatever CAs the server names: the JDK's own key manager quietly sends none when the
     * issuer is not among them, which would turn a "wrong CA" test into a "no certificate" one.
     */
    private static final class AlwaysPresent extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509KeyManager keys;

        AlwaysPresent(javax.net.ssl.X509KeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                                              javax.net.ssl.SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[]{"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    private static TlsClient connect(int port, String sni, List<String> protocols, List<String> ciphers,
                                     KeyManager[] keys) throws IOException {
        SSLSocket socket = (SSLSocket) trustAll(keys).getSocketFactory().createSocket("127.0.0.1", port);
        try {
            socket.setSoTimeout(10_000);
            // as browsers and curl do; without it the JDK client's first request after a TLS 1.3 handshake (and
            // its TLS 1.2 Finished flight) waits ~40 ms for a delayed ACK (Nagle), against any server, openssl's too
            socket.setTcpNoDelay(true);
            SSLParameters parameters = socket.getSSLParameters();
            if (sni != null) {
                parameters.setServerNames(List.of(new SNIHostName(sni)));
            }
            if (protocols != null) {
                parameters.setProtocols(protocols.toArray(String[]::new));
            }
            if (ciphers != null) {
                parameters.setCipherSuites(ciphers.toArray(String[]::new));
            }
            parameters.setApplicationProtocols(new String[]{"http/1.1"}); // it speaks HTTP/1.1 only
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new TlsClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public static TlsClient connect(int port, String sni) throws IOException {
        return connect(port, sni, null, null);
    }

    /** Starts a new handshake on the open connection (TLS 1.2 renegotiation, client-initiated). */
    public void renegotiate() throws IOException {
        socket.startHandshake();
        // the handshake only runs while data moves: a request makes the server take part (or refuse)
        get("/after-renegotiation", "localhost");
    }

    public String protocol() {
        return socket.getSession().getProtocol();
    }

    public String cipherSuite() {
        return socket.getSession().getCipherSuite();
    }

    public String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    public X509Certificate servedCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    public long servedSerial() throws IOException {
        return servedCertificate().getSerialNumber().longValueExact();
    }

    /** Sends a GET and reads one response (Content-Length or chunked body). */
    public Response get(String path, String host) throws IOException {
        return getWithHeader(path, host, null);
    }

    /** Sends a GET with one extra header line ({@code Name: value}; null for none) and reads one response. */
    public Response getWithHeader(String path, String host, String headerLine) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (headerLine == null ? "" : headerLine + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        Map<String, String> headers = new LinkedHashMap<>();
        String header;
        while ((header = line()) != null && !header.isEmpty()) {
            String lower = header.toLowerCase(Locale.ROOT);
            int colon = lower.indexOf(':');
            if (colon > 0) {
                headers.put(lower.substring(0, colon), header.substring(colon + 1).trim());
            }
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            int size;
            while ((size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0) {
                body.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        }
        return new Response(status, body.toString(StandardCharsets.UTF_8), headers);
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** {@code headers}: the response's headers by lower-case name (the last one of a repeated name). */
    public record Response(int status, String body, Map<String, String> headers) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** A request header as the echo backend reported receiving it, or null. */
        public String echoedHeader(String name) {
            for (String line : body.split("\n")) {
                if (line.regionMatches(true, 0, "header " + name + ": ", 0, name.length() + 9)) {
                    return line.substring(name.length() + 9);
                }
            }
            return null;
        }
    }

    private static SSLContext trustAll(KeyManager[] keys) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
