package dev.caravan.websocket;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

import java.util.Locale;

/**
 * The two halves of an RFC 6455 opening handshake as a proxy sees them: a request that asks to become a WebSocket
 * ({@code Upgrade: websocket} and {@code Connection: upgrade}, as tokens), and a backend answer that agrees (101 with
 * {@code Upgrade: websocket}). The {@code Sec-WebSocket-*} fields are end-to-end and pass through unchanged; the key
 * and accept are checked by the client and the backend, not here.
 */
public final class WebSocketHandshake {

    private WebSocketHandshake() {
    }

    public static boolean isUpgradeRequest(HttpHeaders headers) {
        return hasToken(headers, HttpHeaderNames.UPGRADE, "websocket")
                && hasToken(headers, HttpHeaderNames.CONNECTION, "upgrade");
    }

    /** The backend switched to WebSocket. */
    public static boolean isAccepted(HttpResponse response) {
        return response.status().code() == 101 && hasToken(response.headers(), HttpHeaderNames.UPGRADE, "websocket");
    }

    private static boolean hasToken(HttpHeaders headers, CharSequence name, String token) {
        if (!headers.contains(name)) {
            return false; // every request asks: no list of values for the usual head without Upgrade
        }
        for (String value : headers.getAll(name)) {
            for (String part : value.split(",")) {
                if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }
}
