package dev.caravan.listen;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's request decoder, made strict where leniency enables request smuggling: a message carrying both
 * {@code Transfer-Encoding} and {@code Content-Length} is rejected instead of silently dropping the length. Bare-LF
 * line endings are refused by Netty's strict line parsing, and differing duplicate lengths by its defaults.
 */
final class RequestDecoder extends HttpRequestDecoder {

    RequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("Transfer-Encoding and Content-Length in one request");
    }
}
