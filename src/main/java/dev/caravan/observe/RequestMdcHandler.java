package dev.caravan.observe;

import dev.caravan.http.ProxyExchange;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in every client connection's pipeline: while the connection handles an event (bytes read, writability, close;
 * not the end of a read, which only flushes) the log MDC holds its current request's ids, and nothing of them is left
 * on the event loop afterwards. That covers what runs on the client's events: request validation and refusal, route
 * steps up to {@code caravan-forward}, and an answer the route gives itself. What runs on the backend connection's
 * events (the route after the backend answered, error answers) is covered by {@link RequestMdcUnitOfWorkFactory}.
 */
final class RequestMdcHandler extends ChannelInboundHandlerAdapter {

    private ProxyExchange current;

    /** The connection's request from now on (a new request started; its ids are put in the MDC at once). */
    void started(ProxyExchange exchange, ObservedRequest observed) {
        current = exchange;
        RequestMdc.put(observed);
    }

    /** The request is over: later events of the connection are about no request until the next one starts. */
    void finished(ProxyExchange exchange) {
        if (current == exchange) {
            current = null;
        }
    }

    private void enter() {
        ProxyExchange exchange = current;
        ObservedRequest observed = exchange == null ? null : exchange.attachment(ObservedRequest.class);
        if (observed != null) {
            RequestMdc.put(observed);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        enter();
        try {
            ctx.fireChannelRead(msg);
        } finally {
            RequestMdc.clear();
        }
    }

    // channelReadComplete passes through without the ids: the end of a read only flushes (a request body on its way
    // to a backend), and a flush that fails is told on the backend's connection, whose logging resume() covers

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        enter();
        try {
            ctx.fireChannelWritabilityChanged();
        } finally {
            RequestMdc.clear();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        enter();
        try {
            ctx.fireChannelInactive();
        } finally {
            RequestMdc.clear();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        enter();
        try {
            ctx.fireExceptionCaught(cause);
        } finally {
            RequestMdc.clear();
        }
    }
}
