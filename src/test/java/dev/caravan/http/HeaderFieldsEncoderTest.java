package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Header fields copied whole come out byte for byte as Netty's own encoders write them, whatever the characters. */
class HeaderFieldsEncoderTest {

    /** Values of every kind an encoder meets: wire text, Latin-1, beyond Latin-1, AsciiStrings, other sequences. */
    private static void fill(HttpHeaders headers) {
        headers.add("Host", "example.com:8080");
        headers.add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        headers.add(AsciiString.cached("X-Request-Id"), AsciiString.of("0123456789abcdef0123456789abcdef"));
        headers.add("X-Latin", "caf\u00e9 \u00ff");        // obs-text: one byte each
        headers.add("X-Wide", "\u0100\u010a\u4e2d");         // beyond Latin-1: '?' each, never the low byte (0x0a)
        headers.add("X-Pair", "a\ud83d\ude00b");             // a surrogate pair: two '?', as Netty writes it
        headers.add("X-Lone", "\ud83d-");                    // a lone surrogate
        headers.add("X-Builder", new StringBuilder("built"));
        headers.add("X-Empty", "");
        headers.add(AsciiString.of("x-lower"), "v");
    }

    @Test
    void aResponseHeadAndItsTrailersAreNettysBytes() {
        assertEquals(response(new HttpResponseEncoder()), response(new HttpResponseEncoder() {
            @Override
            protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
                HeaderFieldsEncoder.encode(headers, buf);
            }
        }));
    }

    @Test
    void aRequestHeadIsNettysBytes() {
        assertEquals(request(new HttpRequestEncoder()), request(new HttpRequestEncoder() {
            @Override
            protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
                HeaderFieldsEncoder.encode(headers, buf);
            }
        }));
    }

    @Test
    void noCharacterBeyondLatin1BecomesAControlByte() {
        HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
        headers.add("X-Wide", "a\u010a\u010db");
        ByteBuf buf = Unpooled.buffer();
        HeaderFieldsEncoder.encode(headers, buf);
        assertEquals("X-Wide: a??b\r\n", buf.toString(StandardCharsets.ISO_8859_1));
        buf.release();
    }

    private static String response(HttpResponseEncoder encoder) {
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        fill(head.headers());
        head.headers().set("Transfer-Encoding", "chunked");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
        fill(last.trailingHeaders());
        return written(new EmbeddedChannel(encoder), head, last);
    }

    private static String request(HttpRequestEncoder encoder) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/p?q=1");
        fill(request.headers());
        return written(new EmbeddedChannel(encoder), request);
    }

    private static String written(EmbeddedChannel channel, Object... messages) {
        for (Object message : messages) {
            channel.writeOutbound(message);
        }
        StringBuilder bytes = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            bytes.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
        channel.finishAndReleaseAll();
        return bytes.toString();
    }
}
