package dev.caravan.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-request header values (request and trace ids) stay out of the HPACK dynamic table; the rest is indexed. */
class PerRequestHeadersTest {

    private static final int NEW_NAME_NEVER_INDEXED = 0x10;

    @Test
    void namesTheIdHeadersInAnyCase() {
        assertTrue(PerRequestHeaders.COMMON.isSensitive("x-request-id", "a"));
        assertTrue(PerRequestHeaders.COMMON.isSensitive(io.netty.util.AsciiString.of("traceparent"), "00-a-b-01"));
        assertTrue(new PerRequestHeaders(Set.of("X-Corr")).isSensitive("x-CORR", "1"));
        assertFalse(PerRequestHeaders.COMMON.isSensitive("content-type", "text/plain"));
        assertFalse(PerRequestHeaders.COMMON.isSensitive("server", "nginx"));
    }

    /**
     * The defect: with every header indexed, each fresh request id takes a slot of the 4 KiB table, so {@code server}
     * (the oldest entry) keeps being evicted and sent in full again; with the ids kept out of the table, it stays
     * indexed: one byte in every block after the first.
     */
    @Test
    void freshIdsNoLongerEvictTheHeadersThatRepeat() throws Exception {
        assertTrue(blocksWithServerInFull(Http2HeadersEncoder.NEVER_SENSITIVE) > 0, "indexed ids churn the table");
        assertEquals(0, blocksWithServerInFull(PerRequestHeaders.COMMON));
    }

    /** Of 200 blocks after the first, those whose first field, {@code server}, is not an index (top bit 0). */
    private static int blocksWithServerInFull(Http2HeadersEncoder.SensitivityDetector detector) throws Exception {
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(detector);
        ByteBuf out = Unpooled.buffer();
        int inFull = 0;
        try {
            for (int i = 0; i <= 200; i++) {
                out.clear();
                encoder.encodeHeaders(1, new DefaultHttp2Headers().add("server", "nginx/1.22.1")
                        .add("content-type", "text/plain").add("x-request-id", String.format("%032x", i)), out);
                if (i > 0 && (out.getByte(0) & 0x80) == 0) {
                    inFull++;
                }
            }
            return inFull;
        } finally {
            out.release();
        }
    }

    /** The listener's codec uses it: the response's request id goes out as a never-indexed literal. */
    @Test
    void theListenersCodecSendsTheRequestIdUnindexed() throws Exception {
        EmbeddedChannel server = new EmbeddedChannel(H2Settings.DEFAULTS.serverCodec(), new AnswerEachStream());
        try {
            server.writeInbound(clientOpening());
            ByteBuf written = Unpooled.buffer();
            for (Object chunk; (chunk = server.readOutbound()) != null; ) {
                written.writeBytes((ByteBuf) chunk);
                ReferenceCountUtil.release(chunk);
            }
            byte[] block = headersBlock(written);
            written.release();
            assertNotNull(block, "a HEADERS frame");
            assertEquals((byte) 0x88, block[0], ":status 200 from the static table");
            assertEquals(NEW_NAME_NEVER_INDEXED, block[1] & 0xF0, "x-request-id as a never-indexed literal");
        } finally {
            server.finishAndReleaseAll();
        }
    }

    /** What a client sends first: the preface, empty SETTINGS, and a GET on stream 1 that ends the stream. */
    private static ByteBuf clientOpening() throws Exception {
        ByteBuf block = Unpooled.buffer();
        new DefaultHttp2HeadersEncoder().encodeHeaders(1, new DefaultHttp2Headers().method("GET").path("/")
                .scheme("https").authority("a.test"), block);
        ByteBuf opening = Unpooled.buffer().writeBytes(Http2CodecUtil.connectionPrefaceBuf())
                .writeMedium(0).writeByte(0x4).writeByte(0).writeInt(0)
                .writeMedium(block.readableBytes()).writeByte(0x1).writeByte(0x5).writeInt(1)
                .writeBytes(block);
        block.release();
        return opening;
    }

    /** The payload of the first HEADERS frame in {@code frames} (HTTP/2 framing: 3 length, 1 type, 1 flags, 4 id). */
    private static byte[] headersBlock(ByteBuf frames) {
        while (frames.readableBytes() >= 9) {
            int length = frames.readUnsignedMedium();
            int type = frames.readUnsignedByte();
            frames.skipBytes(5);
            if (type == 0x1) {
                byte[] payload = new byte[length];
                frames.readBytes(payload);
                return payload;
            }
            frames.skipBytes(length);
        }
        return null;
    }

    private static final class AnswerEachStream extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame request) {
                Http2Headers response = new DefaultHttp2Headers().status("200")
                        .add("x-request-id", "4b9ddabc084edd6eaa6a4b695638d999");
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(response, true).stream(request.stream()));
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
