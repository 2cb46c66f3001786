package dev.caravan.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** An HTTP message head read byte by byte from a plain socket, up to and including its empty line. */
public final class MessageHead {

    private static final int END_OF_HEAD = '\r' << 24 | '\n' << 16 | '\r' << 8 | '\n';

    /**
     * The head with its CRLFs; null when the stream ends before its first byte (a connection closed between
     * messages). A stream that ends inside a head fails with what was read of it.
     */
    public static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int lastFour = 0; // the last four bytes read, the newest lowest
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            lastFour = lastFour << 8 | b;
            if (lastFour == END_OF_HEAD) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        if (head.size() == 0) {
            return null;
        }
        throw new IOException("the stream ended inside a message head: " + head.toString(StandardCharsets.ISO_8859_1));
    }

    private MessageHead() {
    }
}
