package dev.caravan.h2;

import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 limits a listener announces to clients and enforces ({@code caravan.h2.*} properties; README, "HTTP/2").
 * They bound what one connection can make the gateway hold: streams at once, decoded header bytes per request (the
 * HPACK bomb), frame sizes, and per-stream receive windows; and they answer the floods that cost the server work for
 * little client effort: stream resets (CVE-2023-44487, rapid reset), control frames whose answers the client never
 * reads (SETTINGS/PING floods) and empty DATA frames.
 *
 * @param maxConcurrentStreams   streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
 * @param maxHeaderListSize      decoded bytes of one header list, RFC 9113 counting (name + value + 32 per field);
 *                               more is refused while it is being decoded
 * @param maxFrameSize           largest frame payload the client may send (16384 to 16777215)
 * @param initialWindowSize      bytes a client may send on a stream before Caravan acknowledges them; a stream whose
 *                               body waits for a slow backend stops there
 * @param maxResetsPerWindow     RST_STREAM frames a client may send per {@code resetWindowSeconds}; more ends the
 *                               connection with GOAWAY (ENHANCE_YOUR_CALM)
 * @param resetWindowSeconds     the window for {@code maxResetsPerWindow}
 * @param maxQueuedControlFrames control-frame answers (SETTINGS acks, PING acks, RST_STREAM) queued for a client that
 *                               does not read them; more ends the connection
 * @param maxEmptyDataFrames     consecutive DATA frames without payload and without end of stream; more ends the
 *                               connection
 */
public record H2Settings(int maxConcurrentStreams, long maxHeaderListSize, int maxFrameSize, int initialWindowSize,
                         int maxResetsPerWindow, int resetWindowSeconds, int maxQueuedControlFrames,
                         int maxEmptyDataFrames) {

    public static final H2Settings DEFAULTS = new H2Settings(128, 32768, 16384, 65535, 200, 30, 10000, 2);

    /** How long a closing connection waits for its open streams (shutdown, request limit) before it is cut. */
    static final long GRACEFUL_CLOSE_MILLIS = 10_000;

    public H2Settings {
        positive("maxConcurrentStreams", maxConcurrentStreams);
        positive("maxHeaderListSize", maxHeaderListSize);
        positive("initialWindowSize", initialWindowSize);
        positive("maxResetsPerWindow", maxResetsPerWindow);
        positive("resetWindowSeconds", resetWindowSeconds);
        positive("maxQueuedControlFrames", maxQueuedControlFrames);
        positive("maxEmptyDataFrames", maxEmptyDataFrames);
        if (maxFrameSize < 16384 || maxFrameSize > 16777215) {
            throw new IllegalArgumentException("caravan.h2.maxFrameSize must be between 16384 and 16777215, was "
                    + maxFrameSize);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("caravan.h2." + name + " must be positive, was " + value);
        }
    }

    /** A server-side frame codec that announces and enforces these limits. */
    Http2FrameCodec serverCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(maxConcurrentStreams)
                        .maxHeaderListSize(maxHeaderListSize)
                        .maxFrameSize(maxFrameSize)
                        .initialWindowSize(initialWindowSize))
                .validateHeaders(true)
                .headerSensitivityDetector(PerRequestHeaders.COMMON)
                .decoderEnforceMaxRstFramesPerWindow(maxResetsPerWindow, resetWindowSeconds)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(maxEmptyDataFrames)
                .encoderEnforceMaxQueuedControlFrames(maxQueuedControlFrames)
                .gracefulShutdownTimeoutMillis(GRACEFUL_CLOSE_MILLIS)
                .build();
    }
}
