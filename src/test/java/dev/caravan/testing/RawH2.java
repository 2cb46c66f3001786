package dev.caravan.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * An HTTP/2 client that writes exactly the frames a test gives it (h2c, prior knowledge, on a plain socket): attack
 * sequences a real client library would never send. Header blocks are HPACK-encoded with Netty's encoder, without
 * validation, so upper-case names and CR/LF values go out as given. It reads the server's frames back one at a time.
 */
public final class RawH2 implements Closeable {

    public static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7,
            WINDOW_UPDATE = 8, CONTINUATION = 9;
    public static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Http2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1 << 20);

    /** Connects and sends the preface and an empty SETTINGS frame. */
    public RawH2(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        out.write(ByteBufUtil.getBytes(preface));
        preface.release();
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** One frame as given. */
    public RawH2 frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        out.write(header(payload.length, type, flags, streamId));
        out.write(payload);
        out.flush();
        return this;
    }

    /** Several frames in one write (a flood). */
    public RawH2 frames(byte[] many) throws IOException {
        out.write(many);
        out.flush();
        return this;
    }

    public static byte[] header(int length, int type, int flags, int streamId) {
        return ByteBuffer.allocate(9).put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length)
                .put((byte) type).put((byte) flags).putInt(streamId).array();
    }

    /** The HPACK encoding of {@code headers} (this connection's encoder state moves on). */
    public byte[] block(int streamId, Http2Headers headers) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(streamId, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } catch (io.netty.handler.codec.http2.Http2Exception e) {
            throw new IOException(e);
        } finally {
            buf.release();
        }
    }

    public RawH2 headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block(streamId, headers));
    }

    public RawH2 data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        return frame(DATA, endStream ? END_STREAM : 0, streamId, bytes);
    }

    public RawH2 rst(int streamId, int code) throws IOException {
        return frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(code).array());
    }

    /** A frame the server sent. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {
        public int errorCode() {
            return ByteBuffer.wrap(payload, type == GOAWAY ? 4 : 0, 4).getInt();
        }

        public boolean endStream() {
            return (flags & END_STREAM) != 0;
        }
    }

    /** The next frame, or null when the server closed the connection. */
    public Frame read() throws IOException {
        byte[] head = new byte[9];
        try {
            in.readFully(head);
        } catch (EOFException | java.net.SocketException e) {
            return null;
        }
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        byte[] payload = new byte[length];
        in.readFully(payload);
        Frame frame = new Frame(head[3], head[4] & 0xff, ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff, payload);
        if (System.getenv("RAWH2_TRACE") != null) {
            System.err.println("frame type=" + frame.type() + " flags=" + frame.flags() + " stream=" + frame.streamId()
                    + " length=" + length);
        }
        return frame;
    }

    /** Reads frames until one of {@code type} for {@code streamId} (0: any stream) arrives; null if the server closed. */
    public Frame await(int type, int streamId) throws IOException {
        Frame frame;
        while ((frame = read()) != null) {
            if (frame.type() == type && (streamId == 0 || frame.streamId() == streamId)) {
                return frame;
            }
        }
        return null;
    }

    /** Reads frames until the server closes the connection; returns the code of the first GOAWAY, or null. */
    public Integer goAwayCodeBeforeClose() throws IOException {
        Integer code = null;
        Frame frame;
        try {
            while ((frame = read()) != null) {
                if (frame.type() == GOAWAY) {
                    if (code == null) {
                        code = frame.errorCode();
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither sent GOAWAY nor closed the connection", e);
        }
        return code;
    }

    public Http2Headers decode(Frame headersFrame) throws IOException {
        ByteBuf buf = Unpooled.wrappedBuffer(headersFrame.payload());
        try {
            return decoder.decodeHeaders(headersFrame.streamId(), buf);
        } catch (io.netty.handler.codec.http2.Http2Exception e) {
            throw new IOException(e);
        } finally {
            buf.release();
        }
    }

    /** Reads the response on {@code streamId}: its head and whether it was reset (and with what code). */
    public Response response(int streamId) throws IOException {
        Http2Headers head = null;
        StringBuilder body = new StringBuilder();
        Frame frame;
        while ((frame = read()) != null) {
            if (frame.streamId() != streamId) {
                continue;
            }
            switch (frame.type()) {
                case HEADERS -> {
                    if (head == null) {
                        head = decode(frame);
                    }
                    if (frame.endStream()) {
                        return new Response(head, body.toString(), -1);
                    }
                }
                case DATA -> {
                    body.append(new String(frame.payload(), java.nio.charset.StandardCharsets.ISO_8859_1));
                    if (frame.endStream()) {
                        return new Response(head, body.toString(), -1);
                    }
                }
                case RST_STREAM -> {
                    return new Response(head, body.toString(), frame.errorCode());
                }
                default -> {
                }
            }
        }
        return new Response(head, body.toString(), -2);
    }

    /** A response: its head (null if none came), body, and the RST_STREAM code (-1: none, -2: connection closed). */
    public record Response(Http2Headers head, String body, int resetCode) {
        public int status() {
            return head == null ? 0 : Integer.parseInt(head.status().toString());
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
