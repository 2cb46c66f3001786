package dev.caravan.listen;

import dev.caravan.access.CidrMatcher;
import dev.caravan.access.ForwardedTrust;
import dev.caravan.http.BodySink;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.testing.InetEmbeddedChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client connection's state machine on an {@link io.netty.channel.embedded.EmbeddedChannel}: requests in, answers
 * out, time driven by the test. Deterministic, and milliseconds per case.
 */
class ClientConnectionTest {

    private static final long IDLE_MILLIS = 1000;
    private static final long HEADER_MILLIS = 500;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ArrayDeque<ProxyExchange> dispatched = new ArrayDeque<>();
    private final List<ProxyExchange> finished = new ArrayList<>();
    private InetEmbeddedChannel channel;

    @BeforeEach
    void open() {
        RouteTable routes = new RouteTable(exchange -> exchange.respondError(404));
        routes.bind(new RequestHandler() {
            @Override
            public void handle(ProxyExchange request) {
                dispatched.add(request);
            }

            @Override
            public int inflight() {
                return dispatched.size();
            }

            @Override
            public int open() {
                return dispatched.size();
            }

            @Override
            public void abortOpen() {
            }
        }, HostPattern.parse("*"), "/");
        ListenerConfig config = new ListenerConfig("http", "127.0.0.1", 0,
                ClientLimits.DEFAULTS.withTimeouts(HEADER_MILLIS, IDLE_MILLIS, IDLE_MILLIS, IDLE_MILLIS),
                new ForwardedTrust(CidrMatcher.parse("")));
        ResponseEncoder encoder = new ResponseEncoder(false);
        channel = new InetEmbeddedChannel();
        channel.freezeTime();
        ClientConnection connection = new ClientConnection(config, routes, encoder, now::get,
                exchange -> exchange.onFinished(finished::add));
        channel.pipeline().addLast("bytes", new InboundBytes(connection))
                .addLast("decoder", Listener.newDecoder(config.limits())).addLast("encoder", encoder)
                .addLast("connection", connection);
        channel.pipeline().fireChannelActive();
    }

    @AfterEach
    void close() {
        dispatched.forEach(e -> e.incomingBody().discard());
        channel.finishAndReleaseAll();
    }

    private void send(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private String written() {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static void answer(ProxyExchange exchange, int status, String body) {
        exchange.respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status)),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void pipelinedRequestsAreAnsweredOneAtATimeInOrder() {
        send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(1, dispatched.size(), "the second waits until the first is answered");
        ProxyExchange first = dispatched.poll();
        assertEquals("/a", first.rawTarget());
        answer(first, 200, "one");
        assertEquals(1, dispatched.size(), "answering the first dispatches the second");
        ProxyExchange second = dispatched.poll();
        assertEquals("/b", second.rawTarget());
        answer(second, 200, "two");
        String out = written();
        assertTrue(out.indexOf("one") < out.indexOf("two"), out);
        assertEquals(2, finished.size());
        assertEquals(RequestLog.Outcome.COMPLETED, finished.get(0).log().outcome());
    }

    @Test
    void anUnwantedBodyIsReadAndDroppedSoTheConnectionServesTheNextRequest() {
        send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345");
        ProxyExchange post = dispatched.poll();
        answer(post, 303, "see other"); // answered without reading the body (a redirect)
        assertTrue(written().startsWith("HTTP/1.1 303"));
        send("67890GET /next HTTP/1.1\r\nHost: t\r\n\r\n");
        ProxyExchange next = dispatched.poll();
        assertEquals("/next", next.rawTarget(), "the rest of the body was dropped, the next request read");
        answer(next, 200, "ok");
        assertTrue(written().startsWith("HTTP/1.1 200"));
        assertTrue(channel.isOpen());
    }

    @Test
    void interimResponsesGoOutBeforeTheFinalOne() {
        send("POST /c HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        ProxyExchange exchange = dispatched.poll();
        exchange.interim(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        assertTrue(written().startsWith("HTTP/1.1 100 Continue\r\n"));
        List<String> body = new ArrayList<>();
        exchange.requestBody().subscribe(new BodySink() {
            @Override
            public void onContent(HttpContent content) {
                body.add(content.content().toString(StandardCharsets.UTF_8));
                ReferenceCountUtil.release(content);
            }

            @Override
            public void onBatchEnd() {
            }

            @Override
            public void onError(Throwable cause) {
            }
        });
        send("ok");
        assertEquals("ok", String.join("", body));
        answer(exchange, 200, "done");
        assertTrue(written().startsWith("HTTP/1.1 200"));
    }

    @Test
    void aClientThatGoesAwayAbortsItsExchange() {
        send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
        ProxyExchange exchange = dispatched.peek();
        boolean[] aborted = {false};
        exchange.onAbort(() -> aborted[0] = true);
        channel.close();
        assertTrue(aborted[0]);
        assertEquals(RequestLog.Outcome.CLIENT_GONE, exchange.log().outcome());
        assertEquals(List.of(exchange), finished);
    }

    @Test
    void anIdleKeepAliveConnectionClosesAfterTheIdleTimeout() {
        send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n");
        answer(dispatched.poll(), 200, "ok");
        advance(IDLE_MILLIS - 100);
        assertTrue(channel.isOpen());
        advance(200);
        assertFalse(channel.isOpen());
    }

    @Test
    void aClientThatStopsSendingItsBodyIsCutOffAtTheIdleTimeout() {
        send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
        assertEquals(1, dispatched.size());
        advance(IDLE_MILLIS / 2);
        assertTrue(channel.isOpen(), "not idle yet");
        advance(IDLE_MILLIS);
        assertFalse(channel.isOpen(), "slowloris: the body stalled past the idle timeout");
    }

    @Test
    void aHeadResponseHasHeadersAndNoBodyFraming() {
        send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n");
        ProxyExchange head = dispatched.poll();
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("Transfer-Encoding", "chunked");
        head.respond(response, dev.caravan.http.StreamingBody.of(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)));
        String out = written();
        assertFalse(out.contains("Transfer-Encoding"), out);
        assertTrue(out.endsWith("\r\n\r\n"), "nothing after the head: " + out);
        ProxyExchange after = dispatched.poll();
        assertEquals("/after", after.rawTarget());
        answer(after, 200, "ok");
    }

    @Test
    void aMalformedRequestIsRefusedAndNothingAfterItIsActedOn() {
        send("GET /a HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(dispatched.isEmpty(), "neither the bad request nor what follows reaches a route");
        String out = written();
        assertTrue(out.startsWith("HTTP/1.1 400"), out);
        assertTrue(out.contains("connection: close"), out);
        assertFalse(channel.isOpen());
        assertEquals(RequestLog.Outcome.REFUSED, finished.get(0).log().outcome());
        assertNull(finished.get(0).log().routeId());
    }

    @Test
    void noRouteGets404AndTheConnectionStaysUsable() {
        RouteTable empty = new RouteTable(exchange -> exchange.respondError(404));
        ResponseEncoder encoder = new ResponseEncoder(false);
        InetEmbeddedChannel bare = new InetEmbeddedChannel();
        bare.pipeline().addLast(Listener.newDecoder(ClientLimits.DEFAULTS)).addLast(encoder).addLast(new ClientConnection(
                new ListenerConfig("http", "127.0.0.1", 0, ClientLimits.DEFAULTS, null), empty, encoder, now::get,
                e -> { }));
        bare.writeInbound(Unpooled.copiedBuffer("GET /x HTTP/1.1\r\nHost: t\r\n\r\n", StandardCharsets.ISO_8859_1));
        ByteBuf out = bare.readOutbound();
        assertTrue(out.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 404"));
        out.release();
        assertTrue(bare.isOpen());
        bare.finishAndReleaseAll();
    }

    /** Answers 200 with a body the test feeds (its reads need no control: nothing is read from a backend). */
    private static dev.caravan.http.StreamingBody respondStreaming(ProxyExchange exchange) {
        dev.caravan.http.StreamingBody body = new dev.caravan.http.StreamingBody(new dev.caravan.http.ReadControl() {
            @Override
            public void pauseReading() {
            }

            @Override
            public void resumeReading() {
            }
        });
        exchange.respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK), body);
        return body;
    }

    @Test
    void theLastContentOfAStreamedResponseEndsTheExchange() {
        send("GET /s HTTP/1.1\r\nHost: t\r\n\r\n");
        ProxyExchange exchange = dispatched.poll();
        dev.caravan.http.StreamingBody body = respondStreaming(exchange);
        body.offer(new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.copiedBuffer("part", StandardCharsets.UTF_8)));
        body.batchEnd();
        assertTrue(finished.isEmpty(), "still streaming");
        body.offer(LastHttpContent.EMPTY_LAST_CONTENT);
        String out = written();
        assertTrue(out.contains("transfer-encoding: chunked"), out);
        assertTrue(out.endsWith("4\r\npart\r\n0\r\n\r\n"), out);
        assertEquals(1, finished.size());
        assertEquals(4, exchange.log().bytesOut());
    }

    @Test
    void aStreamedResponseIsCutASendTimeoutAfterTheClientStoppedReading() {
        send("GET /s HTTP/1.1\r\nHost: t\r\n\r\n");
        ProxyExchange exchange = dispatched.poll();
        dev.caravan.http.StreamingBody body = respondStreaming(exchange);
        advance(IDLE_MILLIS * 3); // a slow backend, the client reading all it gets: no timeout runs
        assertTrue(channel.isOpen());
        // the client stops reading: the send timeout counts from here, not from when the response began
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.runPendingTasks(); // (the writability event is delivered as a task)
        advance(IDLE_MILLIS - 300);
        assertTrue(channel.isOpen(), "not yet a send timeout since the client stopped");
        advance(600);
        assertFalse(channel.isOpen());
        assertEquals(RequestLog.Outcome.CLIENT_GONE, exchange.log().outcome());
        body.discard();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() {
        advance(HEADER_MILLIS - 100);
        assertTrue(channel.isOpen());
        advance(200);
        assertFalse(channel.isOpen());
        assertEquals("", written(), "nothing to answer: no request began");
    }

    @Test
    void aHeadSentByteByByteIsCutAtTheHeaderTimeoutWith408() {
        send("GET /slow");
        advance(HEADER_MILLIS / 2);
        send("loris HTTP/1.1\r\n"); // trickling does not reset the head's clock
        advance(HEADER_MILLIS / 2 + 100);
        assertTrue(written().startsWith("HTTP/1.1 408"));
        assertFalse(channel.isOpen());
        assertTrue(dispatched.isEmpty());
    }

    @Test
    void betweenRequestsTheKeepAliveTimeoutAppliesNotTheHeaderTimeout() {
        send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n");
        answer(dispatched.poll(), 200, "ok");
        written();
        advance(HEADER_MILLIS + 100);
        assertTrue(channel.isOpen(), "idle between requests is the keep-alive timeout's business");
        send("GET /b HTTP/1.1\r\n"); // a second head begins...
        advance(HEADER_MILLIS + 100);
        assertFalse(channel.isOpen(), "...and owes its end within the header timeout");
    }

    @Test
    void aStalledBodyGets408WhenNothingWasAnsweredYet() {
        send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
        ProxyExchange upload = dispatched.peek();
        advance(IDLE_MILLIS + 300);
        assertTrue(written().startsWith("HTTP/1.1 408"));
        assertFalse(channel.isOpen());
        assertEquals(RequestLog.Outcome.REFUSED, upload.log().outcome());
    }

    @Test
    void theConnectionClosesAfterItsLastAllowedRequest() {
        RouteTable routes = new RouteTable(exchange -> exchange.respondError(404));
        ResponseEncoder encoder = new ResponseEncoder(false);
        ClientLimits two = new ClientLimits(10_000, 10_000, 10_000, 10_000, 2, 0, 0, 8192, 16384, 100, 0);
        InetEmbeddedChannel limited = new InetEmbeddedChannel();
        limited.pipeline().addLast(Listener.newDecoder(two)).addLast(encoder).addLast(new ClientConnection(
                new ListenerConfig("http", "127.0.0.1", 0, two, null), routes, encoder, now::get, e -> { }));
        limited.writeInbound(Unpooled.copiedBuffer("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n", StandardCharsets.ISO_8859_1));
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = limited.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        assertEquals(2, out.toString().split("HTTP/1.1 404", -1).length - 1, out.toString());
        assertTrue(out.toString().contains("connection: close"), "the second answer says so");
        assertFalse(limited.isOpen());
        limited.finishAndReleaseAll();
    }
}
