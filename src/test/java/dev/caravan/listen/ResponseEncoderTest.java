package dev.caravan.listen;

import dev.caravan.http.FileBackedContent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A body that lies in a file goes out as the file where the bytes reach the socket as they are, else as the bytes. */
class ResponseEncoderTest {

    private final byte[] body = "a body that also lies in a file\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
    private Path path;
    private FileChannel file;

    @BeforeEach
    void writeFile() throws Exception {
        path = Files.createTempFile(Path.of("target"), "encoder-", ".body");
        Files.write(path, body);
        file = FileChannel.open(path, StandardOpenOption.READ);
    }

    @AfterEach
    void removeFile() throws Exception {
        file.close();
        Files.deleteIfExists(path);
    }

    private FileBackedContent content() throws Exception {
        return new FileBackedContent(Unpooled.wrappedBuffer(file.map(FileChannel.MapMode.READ_ONLY, 0, body.length)),
                file, this);
    }

    private HttpResponse head() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return head;
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    /** What is left in the channel's outbound queue, as text; each message must be bytes (no file region). */
    private static String bytesWritten(EmbeddedChannel channel) {
        StringBuilder sent = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            sent.append(text(assertInstanceOf(ByteBuf.class, out)));
        }
        return sent.toString();
    }

    @Test
    void onAPlainConnectionTheBodyGoesAsTheFile() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseEncoder(true));
        channel.writeOutbound(head(), content());
        assertTrue(text(channel.readOutbound()).startsWith("HTTP/1.1 200 OK\r\n"));
        FileRegion region = assertInstanceOf(DefaultFileRegion.class, channel.readOutbound());
        assertEquals(0, region.position());
        assertEquals(body.length, region.count());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        while (region.transferred() < region.count()) {
            region.transferTo(Channels.newChannel(sent), region.transferred());
        }
        assertArrayEquals(body, sent.toByteArray());
        region.release();
        assertTrue(file.isOpen(), "the file is the cache's: a written region does not close it");
        ByteBuf last = channel.readOutbound();
        assertEquals(0, last.readableBytes());
        last.release();
        assertNull(channel.readOutbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void underTlsTheBodyGoesAsTheBytes() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseEncoder(false));
        channel.writeOutbound(head(), content());
        assertTrue(text(channel.readOutbound()).startsWith("HTTP/1.1 200 OK\r\n"));
        assertEquals(new String(body, StandardCharsets.US_ASCII), bytesWritten(channel));
        assertTrue(file.isOpen());
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodyPartlyReadAlreadyGoesAsItsRemainingBytes() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseEncoder(true));
        FileBackedContent partly = content();
        partly.content().skipBytes(10);
        HttpResponse head = head();
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length - 10);
        channel.writeOutbound(head, partly);
        assertTrue(text(channel.readOutbound()).startsWith("HTTP/1.1 200 OK\r\n"));
        assertEquals(new String(body, 10, body.length - 10, StandardCharsets.US_ASCII), bytesWritten(channel));
        channel.finishAndReleaseAll();
    }
}
