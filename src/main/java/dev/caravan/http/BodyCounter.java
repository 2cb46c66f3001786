package dev.caravan.http;

import io.netty.handler.codec.http.HttpContent;

import java.util.function.LongConsumer;

/** A pass-through body decorator that reports how many body bytes went through it (for the request log). */
final class BodyCounter extends FilteringBodySource {

    private final LongConsumer counted;

    BodyCounter(BodySource source, LongConsumer counted) {
        super(source);
        this.counted = counted;
    }

    @Override
    public void onContent(HttpContent content) {
        counted.accept(content.content().readableBytes());
        super.onContent(content);
    }
}
