package dev.caravan.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.UnixChannelUtil;
import org.junit.jupiter.api.Test;

import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A stored body is served from one copy in native memory: no copy per hit, and no hit can change or free it. */
class CachedBodyTest {

    private final byte[] text = "a stored body".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aHitIsWrittenWithoutACopy() {
        assumeTrue(Epoll.isAvailable(), "the epoll transport's rule needs its native library"); // loads it
        // what the epoll transport asks before a write: a heap array (as the cache kept bodies before) is copied
        assertTrue(UnixChannelUtil.isBufferCopyNeededForWrite(Unpooled.wrappedBuffer(text)));
        ByteBuf served = CachedBody.copyOf(text).buffer();
        assertFalse(UnixChannelUtil.isBufferCopyNeededForWrite(served));
        assertTrue(served.isDirect());
    }

    @Test
    void everyHitViewsTheSameBytesAndReleasingOneLeavesTheOthers() {
        CachedBody body = CachedBody.copyOf(text);
        ByteBuf first = body.buffer();
        ByteBuf second = body.buffer();
        assertEquals(first.memoryAddress(), second.memoryAddress());
        first.skipBytes(4);
        first.release();
        assertEquals(text.length, second.readableBytes());
        assertArrayEquals(text, bytes(second));
        assertArrayEquals(text, bytes(body.buffer()));
        assertArrayEquals(text, body.toArray());
    }

    @Test
    void noHitCanChangeTheStoredBytes() {
        ByteBuf served = CachedBody.copyOf(text).buffer();
        assertThrows(ReadOnlyBufferException.class, () -> served.setByte(0, 'X'));
    }

    @Test
    void takesOnlyTheFilledPartAndAnEmptyBodyIsEmpty() {
        byte[] filled = new byte[64];
        System.arraycopy(text, 0, filled, 0, text.length);
        CachedBody body = CachedBody.copyOf(filled, text.length);
        assertEquals(text.length, body.length());
        assertArrayEquals(text, body.toArray());
        assertEquals(0, CachedBody.copyOf(filled, 0).length());
        assertEquals(0, CachedBody.EMPTY.buffer().readableBytes());
    }

    private static byte[] bytes(ByteBuf buffer) {
        byte[] copy = new byte[buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), copy);
        return copy;
    }
}
