package dev.caravan.listen;

import dev.caravan.http.HeaderFieldsEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * A response encoder that knows when the response answers a HEAD request, so it writes no body framing for it even if
 * the headers say {@code Transfer-Encoding: chunked} (they describe what a GET would get). Header fields are copied
 * whole ({@link HeaderFieldsEncoder}).
 */
final class ResponseEncoder extends HttpResponseEncoder {

    private boolean answeringHead;

    void answeringHead(boolean head) {
        this.answeringHead = head;
    }

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        HeaderFieldsEncoder.encode(headers, buf);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return (answeringHead && msg.status().code() >= 200) || super.isContentAlwaysEmpty(msg);
    }
}
