package dev.caravan.h2;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The HTTP/2 request head → HTTP/1.1 conversion on its own: what it refuses and how it frames the body. */
class H2RequestHeadTest {

    private static Http2Headers request() {
        return new DefaultHttp2Headers(false).method("POST").path("/a?b=1").scheme("https").authority("api.test");
    }

    @Test
    void pseudoHeadersBecomeTheRequestLineAndHost() throws Exception {
        HttpRequest converted = H2RequestHead.toHttp1(request().add("accept", "*/*"), true);
        assertEquals("POST", converted.method().name());
        assertEquals("/a?b=1", converted.uri());
        assertEquals("api.test", converted.headers().get("host"));
        assertEquals("*/*", converted.headers().get("accept"));
        assertFalse(converted.headers().names().stream().anyMatch(n -> n.startsWith(":") || n.startsWith("x-http2")));
    }

    @Test
    void theBodyIsFramedFromTheStream() throws Exception {
        assertNull(H2RequestHead.toHttp1(request(), true).headers().get("transfer-encoding"), "no body");
        assertEquals("chunked", H2RequestHead.toHttp1(request(), false).headers().get("transfer-encoding"));
        HttpRequest sized = H2RequestHead.toHttp1(request().add("content-length", "5"), false);
        assertEquals("5", sized.headers().get("content-length"));
        assertNull(sized.headers().get("transfer-encoding"));
    }

    @Test
    void cookieCrumbsAreJoinedAndAnAgreeingHostIsKept() throws Exception {
        HttpRequest converted = H2RequestHead.toHttp1(request().add("cookie", "a=1").add("cookie", "b=2")
                .add("host", "API.test"), true);
        assertEquals("a=1; b=2", converted.headers().get("cookie"));
        assertEquals(1, converted.headers().getAll("host").size());
        assertEquals("api.test", converted.headers().get("host"), ":authority wins");
    }

    @ParameterizedTest
    @ValueSource(strings = {"transfer-encoding=chunked", "connection=close", "keep-alive=1", "proxy-connection=1",
        "upgrade=h2c", "te=gzip", "x-a=a\rb", "x-a=a\nb", "x-a=a\0b", "x-a= lead", "x-a=trail ", "X-Upper=1",
        "x sp=1", "host=other.test", ":method=GET", ":status=200", ":protocol=websocket", ":foo=1"})
    void refuses(String field) {
        int eq = field.indexOf('=', 1);
        Http2Headers headers = request();
        headers.add(field.substring(0, eq), field.substring(eq + 1));
        assertThrows(H2RequestHead.MalformedRequest.class, () -> H2RequestHead.toHttp1(headers, false), field);
    }

    @Test
    void refusesMissingPseudoHeaders() {
        assertThrows(H2RequestHead.MalformedRequest.class, () -> H2RequestHead.toHttp1(
                new DefaultHttp2Headers(false).method("GET").scheme("http").authority("a"), true));
        assertThrows(H2RequestHead.MalformedRequest.class, () -> H2RequestHead.toHttp1(
                new DefaultHttp2Headers(false).method("GET").path("").scheme("http"), true));
    }

    @Test
    void teTrailersIsAllowedAndConnectKeepsItsAuthority() throws Exception {
        assertEquals("trailers", H2RequestHead.toHttp1(request().add("te", "trailers"), true).headers().get("te"));
        HttpRequest connect = H2RequestHead.toHttp1(new DefaultHttp2Headers(false).method("CONNECT")
                .authority("evil:443"), false);
        assertEquals("evil:443", connect.uri(), "refused later with 501, like an HTTP/1.1 CONNECT");
    }
}
