package dev.caravan.idempotent;

import io.netty.handler.codec.http.HttpHeaders;

/** The response a first request got, kept to be replayed to its retries: status, headers, body. */
record StoredReply(int status, String reason, HttpHeaders headers, byte[] body) {

    int weight() {
        int weight = 256 + body.length;
        for (java.util.Map.Entry<String, String> header : headers) {
            weight += 48 + 2 * (header.getKey().length() + header.getValue().length());
        }
        return weight;
    }
}
