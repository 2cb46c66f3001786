package dev.caravan.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;

import java.util.function.Consumer;

/**
 * The HTTP/2 side of a listener. A connection becomes HTTP/2 when TLS negotiates {@code h2} ({@link #alpnSwitch}) or,
 * on a cleartext listener with {@code h2c}, when it starts with the HTTP/2 preface ({@link #priorKnowledgeSwitch});
 * otherwise it stays HTTP/1.1. An HTTP/2 connection gets the frame codec (with the {@link H2Settings} limits), the
 * stream multiplexer and an {@link H2Connection}; each stream gets its own child channel with an
 * {@link H2RequestCodec} and then the same per-request chain as an HTTP/1.1 connection (the listener's
 * {@code requestChain}), so each stream is one exchange through the same routes. A stream's channel is writable while
 * its flow-control window is open, so a client that does not read one stream stalls that stream's backend alone.
 */
public final class H2Server {

    private final H2Settings settings;
    private final long firstStreamTimeoutMillis;
    private final long idleTimeoutMillis;
    private final int maxStreamsPerConnection;
    private final Consumer<Channel> requestChain;

    /**
     * @param requestChain adds the per-request handlers to a new stream's channel (after the stream codec)
     */
    public H2Server(H2Settings settings, long firstStreamTimeoutMillis, long idleTimeoutMillis,
                    int maxStreamsPerConnection, Consumer<Channel> requestChain) {
        this.settings = settings;
        this.firstStreamTimeoutMillis = firstStreamTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.maxStreamsPerConnection = maxStreamsPerConnection;
        this.requestChain = requestChain;
    }

    /** Makes the connection of {@code pipeline} an HTTP/2 server connection (its HTTP/1.1 handlers already gone). */
    public void install(ChannelPipeline pipeline) {
        Http2FrameCodec codec = settings.serverCodec();
        H2Connection connection = new H2Connection(codec, firstStreamTimeoutMillis, idleTimeoutMillis,
                maxStreamsPerConnection, System::nanoTime);
        // the streams' responses flush one by one; flushing them together within one turn of the event loop makes
        // fewer, larger writes (and TLS records) for the whole connection
        pipeline.addLast("h2-flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                true));
        pipeline.addLast("h2-codec", codec);
        pipeline.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel stream) {
                connection.streamOpened();
                stream.pipeline().addLast("h2-request", new H2RequestCodec());
                requestChain.accept(stream);
            }
        }));
        pipeline.addLast("h2-connection", connection);
    }

    /** For a TLS connection: after the handshake, switches to HTTP/2 if ALPN chose {@code h2}. */
    public ChannelHandler alpnSwitch(Consumer<ChannelPipeline> removeHttp1) {
        return new AlpnSwitch(this, removeHttp1);
    }

    /** For a cleartext connection: switches to HTTP/2 if it starts with the HTTP/2 preface (prior knowledge). */
    public ChannelHandler priorKnowledgeSwitch(Consumer<ChannelPipeline> removeHttp1) {
        return new PriorKnowledgeSwitch(this, removeHttp1);
    }

    public H2Settings settings() {
        return settings;
    }
}
