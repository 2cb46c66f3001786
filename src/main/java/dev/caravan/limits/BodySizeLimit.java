package dev.caravan.limits;

import dev.caravan.http.BodySource;
import dev.caravan.http.FilteringBodySource;
import dev.caravan.http.GatewayException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A request body decorator that stops a body at {@code max} bytes: the byte that crosses the limit is not passed on,
 * the reader (the backend connection) sees a 413 failure, and the rest of the body is dropped, not read into memory.
 * Used for bodies whose size is not announced (chunked); an announced {@code Content-Length} over the limit is refused
 * before anything is forwarded.
 */
public final class BodySizeLimit extends FilteringBodySource {

    private final long max;
    private long seen;
    private boolean exceeded;

    public BodySizeLimit(BodySource source, long max) {
        super(source);
        this.max = max;
    }

    @Override
    public void onContent(HttpContent content) {
        if (exceeded) {
            ReferenceCountUtil.release(content);
            return;
        }
        seen += content.content().readableBytes();
        if (seen > max) {
            exceeded = true;
            ReferenceCountUtil.release(content);
            discard();
            onError(new GatewayException(413, "Request body over " + max + " bytes"));
            return;
        }
        super.onContent(content);
    }
}
