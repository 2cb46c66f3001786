package dev.caravan.listen;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * A response encoder that knows when the response answers a HEAD request, so it writes no body framing for it even if
 * the headers say {@code Transfer-Encoding: chunked} (they describe what a GET would get).
 */
final class ResponseEncoder extends HttpResponseEncoder {

    private boolean answeringHead;

    void answeringHead(boolean head) {
        this.answeringHead = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return (answeringHead && msg.status().code() >= 200) || super.isContentAlwaysEmpty(msg);
    }
}
