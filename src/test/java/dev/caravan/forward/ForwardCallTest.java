package dev.caravan.forward;

import dev.caravan.balance.Backend;
import dev.caravan.balance.Backends;
import dev.caravan.forward.ForwardOutcome.Kind;
import dev.caravan.http.BodySink;
import dev.caravan.http.BodySource;
import dev.caravan.http.ClientInfo;
import dev.caravan.http.ClientResponder;
import dev.caravan.http.ProxyExchange;
import dev.caravan.http.RequestLog;
import dev.caravan.http.StreamingBody;
import dev.caravan.testing.InetEmbeddedChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forward call's state machine against a scripted backend on an {@link EmbeddedChannel}: every transition and
 * every outcome, without sockets or timers.
 */
class ForwardCallTest {

    private final InetEmbeddedChannel client = new InetEmbeddedChannel();
    private final List<HttpResponse> interims = new ArrayList<>();
    private final ProxyExchange exchange = new ProxyExchange(
            new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x"), "/x", "/x", StreamingBody.empty(), client,
            new ClientInfo("http", false, "127.0.0.1", ClientInfo.Peer.NO_PROXIES_CONFIGURED, null), new ClientResponder() {
                @Override
                public void writeInterim(ProxyExchange e, HttpResponse interim) {
                    interims.add(interim);
                }

                @Override
                public void write(ProxyExchange e, HttpResponse head, BodySource body) {
                }

                @Override
                public void cut(ProxyExchange e) {
                }
            }, List.of(), new RequestLog(0, 1));
    private final Backend target = new Backends().backend(BackendTarget.parse("http://backend.test:80"));
    private final ScriptedConnections connections = new ScriptedConnections();
    private final List<ForwardOutcome> outcomes = new ArrayList<>();
    private boolean retryOn5xx;

    /** Hands out embedded backend connections and records what comes back. */
    private final class ScriptedConnections implements ConnectionSource {
        final List<EmbeddedChannel> made = new ArrayList<>();
        final List<Channel> released = new ArrayList<>();
        final List<Boolean> reuseAllowed = new ArrayList<>();
        boolean nextIsReused;
        Throwable nextFailure;

        @Override
        public void acquire(EventLoop loop, boolean allowReuse, Acquirer acquirer) {
            reuseAllowed.add(allowReuse);
            if (nextFailure != null) {
                Throwable failure = nextFailure;
                nextFailure = null;
                acquirer.failed(failure);
                return;
            }
            EmbeddedChannel backend = new EmbeddedChannel();
            backend.pipeline().addLast("decoder", new BackendResponseDecoder(new HttpDecoderConfig()))
                    .addLast("encoder", new HttpRequestEncoder())
                    .addLast("connection", new BackendConnection(this));
            made.add(backend);
            boolean reused = nextIsReused;
            nextIsReused = false;
            acquirer.acquired(backend, reused);
        }

        @Override
        public void release(Channel channel, long idleTimeoutNanos) {
            released.add(channel);
        }

        @Override
        public void forget(Channel channel) {
        }

        @Override
        public long idleTimeoutNanos() {
            return TimeUnit.SECONDS.toNanos(4);
        }

        EmbeddedChannel last() {
            return made.get(made.size() - 1);
        }
    }

    private final ForwardCall.Listener listener = new ForwardCall.Listener() {
        @Override
        public boolean retryInstead(int status) {
            return retryOn5xx;
        }

        @Override
        public void interim(HttpResponse interim) {
            exchange.interim(interim);
        }

        @Override
        public void ended(ForwardOutcome outcome) {
            outcomes.add(outcome);
        }
    };

    @AfterEach
    void release() {
        outcomes.stream().map(ForwardOutcome::body).filter(b -> b != null).forEach(BodySource::discard);
        connections.made.forEach(EmbeddedChannel::finishAndReleaseAll);
        client.finishAndReleaseAll();
    }

    private ForwardCall call(boolean replayable) {
        HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        outgoing.headers().set("Host", "backend.test");
        ForwardCall call = new ForwardCall(exchange, connections, outgoing, null, null, 1000, target, replayable, listener);
        call.start();
        return call;
    }

    private static String sent(EmbeddedChannel backend) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = backend.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static void reply(EmbeddedChannel backend, String raw) {
        backend.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private static String drain(BodySource body) {
        StringBuilder text = new StringBuilder();
        body.subscribe(new BodySink() {
            @Override
            public void onContent(HttpContent content) {
                text.append(content.content().toString(StandardCharsets.UTF_8));
                if (content instanceof LastHttpContent) {
                    text.append("<end>");
                }
                ReferenceCountUtil.release(content);
            }

            @Override
            public void onBatchEnd() {
            }

            @Override
            public void onError(Throwable cause) {
                text.append("<error>");
            }
        });
        return text.toString();
    }

    @Test
    void aResponseIsReportedAtItsHeadAndItsConnectionPooledAfterItsBody() {
        ForwardCall call = call(true);
        EmbeddedChannel backend = connections.last();
        assertTrue(sent(backend).startsWith("GET /x HTTP/1.1\r\n"));
        assertEquals(ForwardCall.State.AWAITING_HEAD, call.state());
        reply(backend, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel");
        assertEquals(ForwardCall.State.STREAMING, call.state());
        ForwardOutcome outcome = outcomes.get(0);
        assertEquals(Kind.RESPONDED, outcome.kind());
        assertEquals(200, outcome.status());
        assertEquals("hel", drain(outcome.body()));
        assertTrue(connections.released.isEmpty(), "not before the body ends");
        reply(backend, "lo");
        assertEquals(ForwardCall.State.DONE, call.state());
        assertEquals(List.of(backend), connections.released);
        assertEquals(0, target.inflight());
    }

    @Test
    void aRequestWhoseBodyIsAtHandLeavesInOneWrite() {
        call(true);
        EmbeddedChannel backend = connections.last();
        assertEquals(1, backend.outboundMessages().size(), "a head alone: one buffer, one pass down the pipeline");
        assertEquals("GET /x HTTP/1.1\r\nHost: backend.test\r\n\r\n", sent(backend));

        HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/y");
        post.headers().set("Host", "backend.test").set("Content-Length", "5");
        ByteBuf held = Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII);
        new ForwardCall(exchange, connections, post, null, held, 1000, target, false, listener).start();
        EmbeddedChannel second = connections.last();
        assertEquals("POST /y HTTP/1.1\r\nHost: backend.test\r\nContent-Length: 5\r\n\r\nhello", sent(second),
                "a body held in memory goes with its head");
        reply(second, "HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(Kind.RESPONDED, outcomes.get(0).kind());
        assertEquals(0, held.refCnt(), "the held body is released once the call reports");
    }

    @Test
    void interimResponsesAreRelayedAndTheFinalOneStillCounts() {
        ForwardCall call = call(true);
        EmbeddedChannel backend = connections.last();
        reply(backend, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
        assertEquals(ForwardCall.State.AWAITING_HEAD, call.state(), "the 1xx ended; the final head is still owed");
        assertEquals(1, interims.size());
        assertEquals("</a.css>; rel=preload", interims.get(0).headers().get("Link"));
        assertTrue(outcomes.isEmpty());
        reply(backend, "HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(Kind.RESPONDED, outcomes.get(0).kind());
        assertEquals(204, outcomes.get(0).status());
    }

    @Test
    void aKeptConnectionThatTurnsOutClosedIsRetriedOnceOnAFreshOneWhenReplayable() {
        connections.nextIsReused = true;
        call(true);
        connections.last().close(); // the backend had closed it while it sat in the pool
        assertTrue(outcomes.isEmpty(), "not a failure yet");
        assertEquals(List.of(true, false), connections.reuseAllowed, "a fresh connection the second time");
        reply(connections.last(), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertEquals(Kind.RESPONDED, outcomes.get(0).kind());
    }

    @Test
    void aConnectionClosedBeforeTheHeadIsReportedAsSentWhenNotReplayable() {
        connections.nextIsReused = true;
        call(false);
        connections.last().close();
        assertEquals(1, connections.made.size(), "a request that must not be replayed is not");
        assertEquals(Kind.CLOSED_BEFORE_HEAD, outcomes.get(0).kind());
        assertTrue(outcomes.get(0).requestSent());
        assertEquals(502, outcomes.get(0).clientStatus());
    }

    @Test
    void noHeadWithinTheResponseTimeoutEndsTheCall() {
        ForwardCall call = call(true);
        EmbeddedChannel backend = connections.last();
        call.checkDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
        assertTrue(outcomes.isEmpty(), "within the timeout");
        call.checkDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500));
        assertEquals(Kind.RESPONSE_TIMEOUT, outcomes.get(0).kind());
        assertEquals(504, outcomes.get(0).clientStatus());
        assertFalse(backend.isOpen(), "a connection with an answer still owed is never reused");
    }

    @Test
    void aRetryable5xxIsDroppedOnlyWhenTheListenerCommitsToARetry() {
        retryOn5xx = true;
        call(true);
        EmbeddedChannel first = connections.last();
        reply(first, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        assertEquals(Kind.RETRYABLE_STATUS, outcomes.get(0).kind());
        assertEquals(503, outcomes.get(0).status());
        assertNull(outcomes.get(0).body());

        outcomes.clear();
        retryOn5xx = false; // e.g. the retry budget is spent: the backend's own answer goes to the client
        call(true);
        reply(connections.last(), "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        assertEquals(Kind.RESPONDED, outcomes.get(0).kind());
        assertEquals("busy<end>", drain(outcomes.get(0).body()));
    }

    @Test
    void aClientThatGoesAwayCancelsTheCall() {
        call(true);
        EmbeddedChannel backend = connections.last();
        exchange.abort();
        assertEquals(Kind.CLIENT_GONE, outcomes.get(0).kind());
        assertFalse(backend.isOpen());
    }

    @Test
    void connectFailuresAreReportedAsNotSent() {
        connections.nextFailure = new ConnectException("refused");
        call(false);
        assertEquals(Kind.CONNECT_FAILED, outcomes.get(0).kind());
        assertFalse(outcomes.get(0).requestSent(), "safe to try elsewhere, whatever the method");
        outcomes.clear();
        connections.nextFailure = new ConnectTimeoutException("slow");
        call(false);
        assertEquals(Kind.CONNECT_TIMEOUT, outcomes.get(0).kind());
        assertEquals(504, outcomes.get(0).clientStatus());
    }

    @Test
    void anAnswerBeforeTheWholeRequestBodyWasSentClosesTheConnection() {
        StreamingBody upload = new StreamingBody(new dev.caravan.http.ReadControl() {
            @Override
            public void pauseReading() {
            }

            @Override
            public void resumeReading() {
            }
        });
        HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
        outgoing.headers().set("Content-Length", "10");
        new ForwardCall(exchange, connections, outgoing, upload, null, 1000, target, false, listener).start();
        EmbeddedChannel backend = connections.last();
        reply(backend, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");
        assertEquals(413, outcomes.get(0).status());
        assertTrue(connections.released.isEmpty(), "the backend did not take the whole request: not reusable");
        assertFalse(backend.isOpen());
        upload.discard();
    }

    @Test
    void aMalformedResponseHeadIsAnInvalidResponse() {
        call(true);
        EmbeddedChannel backend = connections.last();
        reply(backend, "HTTP/1.1 2xx Nonsense\r\n\r\n");
        assertEquals(Kind.INVALID_RESPONSE, outcomes.get(0).kind());
        assertEquals(502, outcomes.get(0).clientStatus());
        assertFalse(backend.isOpen());
    }
}
