package dev.caravan.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** A byte-tier step for tests: every response body byte is inverted on its way to the client, streaming. */
public final class FlipStep implements Processor {

    @Override
    public void process(Exchange exchange) {
        ProxyExchange.require(exchange, "flip").decorateResponseBody((head, body) -> new FilteringBodySource(body) {
            @Override
            public void onContent(HttpContent content) {
                ByteBuf in = content.content();
                byte[] bytes = new byte[in.readableBytes()];
                in.readBytes(bytes);
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) ~bytes[i];
                }
                content.release();
                ByteBuf out = Unpooled.wrappedBuffer(bytes);
                super.onContent(content instanceof LastHttpContent ? new DefaultLastHttpContent(out)
                        : new DefaultHttpContent(out));
            }
        });
    }
}
