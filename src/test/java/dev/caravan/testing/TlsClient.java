package dev.caravan.testing;

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
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

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
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", port);
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
            parameters.setApplicationProtocols(new String[]{"h2", "http/1.1"});
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
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        String header;
        while ((header = line()) != null && !header.isEmpty()) {
            String lower = header.toLowerCase(Locale.ROOT);
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
        return new Response(status, body.toString(StandardCharsets.UTF_8));
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

    public record Response(int status, String body) {

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

    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{new X509TrustManager() {
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
