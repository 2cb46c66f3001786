package dev.caravan.cache;

import dev.caravan.http.BodySink;
import dev.caravan.http.BodySource;
import dev.caravan.http.ClientResponder;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.http.StreamingBody;
import dev.caravan.listen.RequestHandler;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.apache.camel.Exchange;
import org.apache.camel.Route;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * stale-while-revalidate's refresh: the client already has the stale response, so the cache runs the same route once
 * more for a copy of the request with nobody waiting on the other end. It is a real exchange (same route, same
 * backend choice, same steps, so whatever the route does to a request it does to this one); its response goes to a
 * responder that reads the body to the end and drops it, while the cache step, recognising the exchange, revalidates
 * and stores as for any request. It runs on the client's event loop after the client's answer, and holds the key's
 * fill, so there is one refresh per key at a time.
 */
final class BackgroundRefresh {

    private BackgroundRefresh() {
    }

    static void start(Exchange exchange, ProxyExchange client, ResponseCache cache, String key, Fill fill) {
        Route route = exchange.getContext().getRoute(exchange.getFromRouteId());
        if (route == null || !(route.getConsumer() instanceof RequestHandler handler)) {
            cache.endFill(key, fill, false);
            return;
        }
        HttpHeaders headers = client.head().headers().copy();
        // the refresh asks the plain question: validators are the cache's, and the client's directives were for it
        headers.remove(HttpHeaderNames.IF_NONE_MATCH);
        headers.remove(HttpHeaderNames.IF_MODIFIED_SINCE);
        headers.remove(HttpHeaderNames.CACHE_CONTROL);
        headers.remove(HttpHeaderNames.PRAGMA);
        HttpRequest head = new DefaultHttpRequest(client.version(), HttpMethod.GET, client.rawTarget(), headers);
        long now = System.nanoTime();
        ProxyExchange refresh = new ProxyExchange(head, client.rawTarget(), client.canonicalPath(), StreamingBody.empty(),
                client.channel(), client.client(), DRAIN, List.of(), new RequestLog(now, now));
        if (client.carriedHeaders() != null) {
            refresh.carryHeaders(client.carriedHeaders()); // what guards established for the original request
            for (CharSequence name : List.of(HttpHeaderNames.IF_NONE_MATCH, HttpHeaderNames.IF_MODIFIED_SINCE,
                    HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.PRAGMA)) {
                refresh.carriedHeaders().keySet().removeIf(n -> n.equalsIgnoreCase(name.toString()));
            }
        }
        cache.markBackground(refresh, fill);
        // if the route never reaches the cache step (an earlier step answers), the fill must still end
        refresh.onFinished(done -> {
            if (cache.takeBackground(done) != null) {
                cache.endFill(key, fill, false);
            }
        });
        try {
            client.eventLoop().execute(() -> handler.handle(refresh));
        } catch (RejectedExecutionException e) {
            cache.takeBackground(refresh);
            cache.endFill(key, fill, false);
        }
    }

    /** Where a refresh's response goes: its body is read to the end (through the cache's copy) and dropped. */
    private static final ClientResponder DRAIN = new ClientResponder() {
        @Override
        public void writeInterim(ProxyExchange exchange, HttpResponse interim) {
            ReferenceCountUtil.release(interim);
        }

        @Override
        public void write(ProxyExchange exchange, HttpResponse head, BodySource body) {
            if (body == null) {
                exchange.finished(RequestLog.Outcome.COMPLETED);
                return;
            }
            body.subscribe(new BodySink() {
                @Override
                public void onContent(HttpContent content) {
                    boolean last = content instanceof LastHttpContent;
                    content.release();
                    if (last) {
                        exchange.finished(RequestLog.Outcome.COMPLETED);
                    }
                }

                @Override
                public void onBatchEnd() {
                }

                @Override
                public void onError(Throwable cause) {
                    exchange.finished(RequestLog.Outcome.RESPONSE_FAILED);
                }
            });
        }

        @Override
        public void cut(ProxyExchange exchange) {
            BodySource backend = exchange.backendBody();
            if (backend != null) {
                backend.discard();
            }
        }
    };
}
