package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins {@link FramingGuard}'s reading of the decoder's private parse state to the Netty version in use: each check
 * must run in the state it belongs to (a Netty upgrade that renames the field or its states fails here first).
 */
class FramingGuardTest {

    @Test
    void aFoldedHeaderIsSeenBeforeTheRequestLineIsParsed() {
        HttpRequestDecoder decoder = new HttpRequestDecoder();
        assertThat(problem(decoder, "GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n"))
                .isEqualTo("obsolete line folding in a header");
        assertThat(problem(decoder, "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n")).isNull();
    }

    /** The scan jumps from line feed to line feed: where the fold is, what ends the head and a cut buffer all count. */
    @Test
    void theFoldScanLooksAtEveryLineStartOfTheHeadAndNothingAfterIt() {
        String browserHead = "GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
                + "Accept: text/html,application/xhtml+xml\r\nCookie: a=1; b=2\r\n";
        assertThat(problem(new HttpRequestDecoder(), browserHead + "\tfolded with a tab\r\n\r\n"))
                .isEqualTo("obsolete line folding in a header");
        assertThat(problem(new HttpRequestDecoder(), browserHead + "X-Last: 1\r\n \r\n\r\n"))
                .isEqualTo("obsolete line folding in a header");
        assertThat(problem(new HttpRequestDecoder(), browserHead + "X-Last: 1\n folded after a bare LF\n\n"))
                .isEqualTo("obsolete line folding in a header");
        // after the empty line comes the body (or the next request): a blank there is no fold
        assertThat(problem(new HttpRequestDecoder(), browserHead + "\r\n  body text\r\n more\r\n")).isNull();
        assertThat(problem(new HttpRequestDecoder(), browserHead + "\n\n  body")).isNull();
        // a buffer that ends right after a line feed: the next read decides
        assertThat(problem(new HttpRequestDecoder(), browserHead)).isNull();
        // empty lines before the request line are skipped, not taken for the end of a head
        assertThat(problem(new HttpRequestDecoder(), "\r\n\r\nGET / HTTP/1.1\r\nX-A: 1\r\n continued\r\n\r\n"))
                .isEqualTo("obsolete line folding in a header");
    }

    @Test
    void aChunkSizeThatDoesNotFitIsSeenWhereTheDecoderExpectsOne() {
        EmbeddedChannel channel = after("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
        HttpRequestDecoder decoder = channel.pipeline().get(HttpRequestDecoder.class);

        assertThat(problem(decoder, "100000005\r\n")).isEqualTo("chunk size too large");
        assertThat(problem(decoder, "7fffffff\r\n")).isNull();
        // the same bytes outside a chunk-size line are not a chunk size
        assertThat(problem(new HttpRequestDecoder(), "100000005\r\n")).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void aFoldedLineAmongTheHeadersIsSeenWhileTheDecoderReadsHeaders() {
        // the request line and one header arrive; the head is not complete, so the decoder waits among the headers
        EmbeddedChannel channel = after("GET / HTTP/1.1\r\nX-A: 1\r\n");
        HttpRequestDecoder decoder = channel.pipeline().get(HttpRequestDecoder.class);

        assertThat(problem(decoder, " continued\r\n\r\n")).isEqualTo("obsolete line folding in a header");
        assertThat(problem(decoder, "X-B: 2\r\n\r\n")).isNull();
        channel.finishAndReleaseAll();
    }

    private static String problem(HttpObjectDecoder decoder, String ahead) {
        ByteBuf in = bytes(ahead);
        try {
            return FramingGuard.problem(decoder, in);
        } finally {
            in.release();
        }
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    /**
     * A channel whose request decoder has parsed {@code input} and is in the state that leaves it in (what it decoded
     * is released); the test finishes the channel after its checks, since closing it moves the decoder on.
     */
    private static EmbeddedChannel after(String input) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder());
        channel.writeInbound(bytes(input));
        Object message;
        while ((message = channel.readInbound()) != null) {
            ReferenceCountUtil.release(message);
        }
        return channel;
    }
}
