package dev.caravan.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import java.util.function.Consumer;

/**
 * Sits right after TLS and waits for the handshake: if ALPN chose {@code h2}, the HTTP/1.1 handlers make way for
 * HTTP/2; otherwise (ALPN {@code http/1.1}, or none) they stay. Either way it then leaves the pipeline.
 */
final class AlpnSwitch extends ChannelInboundHandlerAdapter {

    private final H2Server server;
    private final Consumer<ChannelPipeline> removeHttp1;

    AlpnSwitch(H2Server server, Consumer<ChannelPipeline> removeHttp1) {
        this.server = server;
        this.removeHttp1 = removeHttp1;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            ChannelPipeline pipeline = ctx.pipeline();
            SslHandler tls = pipeline.get(SslHandler.class);
            if (done.isSuccess() && tls != null
                    && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                removeHttp1.accept(pipeline);
                server.install(pipeline);
            }
            pipeline.remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
