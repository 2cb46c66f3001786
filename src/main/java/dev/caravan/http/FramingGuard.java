package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.handler.codec.http.HttpObjectDecoder;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Checks the raw bytes Netty's HTTP decoder is about to parse for what its own checks let through (RFC 9112 allows a
 * recipient to reject both, and parsers that disagree on them are how requests get smuggled):
 * <ul>
 *   <li>a chunk size that does not fit: Netty 4.1 read hex into an {@code int} and wrapped, so {@code 100000005}
 *       became 5 while another hop read 4 GiB + 5 (4.2 refuses it too; this check stays so that the rule does not
 *       hang on the decoder's version);</li>
 *   <li>obs-fold: a header line continued on the next line (starting with a space or tab), which Netty unfolds.</li>
 * </ul>
 * It reads the decoder's private parse state (which part of the message comes next) through a {@link VarHandle}, the
 * only way to know where a chunk-size line starts without parsing the stream twice; {@code FramingGuardTest} pins it
 * to the Netty version in use. (A handle and the state constants resolved once: it runs on every read of every
 * connection, where {@code Field.get} and comparing state names cost a measurable share of a request.)
 */
public final class FramingGuard {

    private static final VarHandle STATE;
    private static final Object READ_CHUNK_SIZE;
    private static final Object READ_HEADER;
    private static final Object SKIP_INITIAL_LINE_CHARS;
    private static final Object READ_INITIAL;

    static {
        try {
            Class<?> stateType = HttpObjectDecoder.class.getDeclaredField("currentState").getType();
            STATE = MethodHandles.privateLookupIn(HttpObjectDecoder.class, MethodHandles.lookup())
                    .findVarHandle(HttpObjectDecoder.class, "currentState", stateType);
            READ_CHUNK_SIZE = state(stateType, "READ_CHUNK_SIZE");
            READ_HEADER = state(stateType, "READ_HEADER");
            SKIP_INITIAL_LINE_CHARS = state(stateType, "SKIP_INITIAL_LINE_CHARS");
            READ_INITIAL = state(stateType, "READ_INITIAL");
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object state(Class<?> stateType, String name) {
        return Enum.valueOf((Class) stateType, name);
    }

    /** Hex digits of the largest chunk size accepted (after leading zeros): 0x7FFFFFFF has 8. */
    private static final int MAX_SIGNIFICANT_HEX_DIGITS = 8;

    private FramingGuard() {
    }

    /** Null when the bytes ahead are fine so far, else what is wrong with them. */
    public static String problem(HttpObjectDecoder decoder, ByteBuf in) {
        Object state = STATE.get(decoder);
        if (state == READ_CHUNK_SIZE) {
            return chunkSizeProblem(in);
        }
        if (state == READ_HEADER) {
            return foldedHeaderProblem(in, true);
        }
        if (state == SKIP_INITIAL_LINE_CHARS || state == READ_INITIAL) { // before a request line (Netty 4.2's names)
            return foldedHeaderProblem(in, false);
        }
        return null;
    }

    /** Looks at the chunk-size line (complete or not) without consuming it. */
    static String chunkSizeProblem(ByteBuf in) {
        ChunkSizeScan scan = new ChunkSizeScan();
        in.forEachByte(in.readerIndex(), in.readableBytes(), scan);
        return scan.tooLarge ? "chunk size too large" : null;
    }

    /** Reads a chunk size's hex digits (after blanks and leading zeros) until anything else; stops when too large. */
    private static final class ChunkSizeScan implements ByteProcessor {
        private boolean pastBlanks;
        private boolean pastZeros;
        private long size;
        private int digits;
        private boolean tooLarge;

        @Override
        public boolean process(byte b) {
            if (!pastBlanks && (b == ' ' || b == '\t')) {
                return true;
            }
            pastBlanks = true;
            if (!pastZeros && b == '0') {
                return true;
            }
            pastZeros = true;
            int digit = Character.digit(b, 16);
            if (digit < 0) {
                return false;
            }
            size = size * 16 + digit;
            if (++digits > MAX_SIGNIFICANT_HEX_DIGITS || size > Integer.MAX_VALUE) {
                tooLarge = true;
                return false;
            }
            return true;
        }
    }

    /**
     * A line that begins with a space or tab inside a message head continues the previous header line (obs-fold).
     * {@code inHeaders}: the decoder is between header lines, so the bytes ahead start a line.
     */
    static String foldedHeaderProblem(ByteBuf in, boolean inHeaders) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start >= end) {
            return null;
        }
        if (inHeaders && isBlank(in.getByte(start))) {
            return "obsolete line folding in a header";
        }
        if (!inHeaders) {
            // empty lines before a request line are skipped, not the end of a head
            int text = in.forEachByte(start, end - start, b -> b == '\r' || b == '\n');
            if (text < 0) {
                return null;
            }
            start = text;
        }
        // from line feed to line feed: ByteBuf.indexOf scans eight bytes a step, where a ByteProcessor is called for
        // each (a browser's head is many hundred bytes, and this runs on every read)
        for (int lineFeed = in.indexOf(start, end, (byte) '\n'); lineFeed >= 0 && lineFeed + 1 < end;
                lineFeed = in.indexOf(lineFeed + 1, end, (byte) '\n')) {
            byte next = in.getByte(lineFeed + 1);
            if (next == '\r' || next == '\n') {
                return null; // the empty line: the head ends, what follows is body or the next message
            }
            if (isBlank(next)) {
                return "obsolete line folding in a header";
            }
        }
        return null;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }
}
