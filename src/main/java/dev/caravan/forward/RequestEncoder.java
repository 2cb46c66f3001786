package dev.caravan.forward;

import dev.caravan.http.HeaderFieldsEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestEncoder;

/** Netty's request encoder for backend connections, with header fields copied whole ({@link HeaderFieldsEncoder}). */
final class RequestEncoder extends HttpRequestEncoder {

    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        HeaderFieldsEncoder.encode(headers, buf);
    }
}
