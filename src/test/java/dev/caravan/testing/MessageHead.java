package dev.caravan.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** An HTTP message head read byte by byte from a plain socket, up to and including its empty line. */
public final class MessageHead {

    /**
     * The head with its CRLFs; null when the stream ends before its first byte (a connection closed between
     * messages). A stream that ends inside a head fails with what was read of it.
     */
    public static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
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
