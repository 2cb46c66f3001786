package dev.caravan.forward;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The request target a backend gets: byte for byte the client's, with a prefix dropped or a base path put in front. */
class TargetRewriteTest {

    /** A target as Netty's decoder hands it over: one char per byte (ISO-8859-1). */
    private static String wire(String utf8) {
        return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void withoutPrefixOrBasePathTheTargetGoesAsItCame() {
        TargetRewrite none = new TargetRewrite(null);
        String target = "/a/%2F/b;x?q=1+2&&empty=";
        assertSame(target, none.apply(target, ""), "no copy for the usual route");
        assertEquals("/", none.apply("/", ""));
        assertEquals("*", none.apply("*", ""));
        assertEquals("/?", none.apply("?", ""), "an empty path becomes /");
    }

    @Test
    void aPrefixIsDroppedOnlyAtASegmentBoundary() {
        TargetRewrite strip = new TargetRewrite("/api/");
        assertEquals("/users?x=1", strip.apply("/api/users?x=1", ""));
        assertEquals("/?x=1", strip.apply("/api?x=1", ""));
        assertEquals("/apiary", strip.apply("/apiary", ""), "not a segment of its own");
        assertEquals("/v1/users", strip.apply("/api/users", "/v1"));
    }

    @Test
    void aBasePathGoesInFront() {
        TargetRewrite none = new TargetRewrite("");
        assertEquals("/v1/users?q", none.apply("/users?q", "/v1"));
        assertEquals("/v1/", none.apply("/", "/v1"));
    }

    @Test
    void nonAsciiBytesReachTheEncoderAsTheClientSentThem() {
        TargetRewrite none = new TargetRewrite(null);
        assertEquals("/caf\u00e9?q=\u00fc", none.apply(wire("/caf\u00e9?q=\u00fc"), ""),
                "valid UTF-8: decoded, so the encoder writes the same bytes");
        assertEquals("/v1/caf\u00e9", none.apply(wire("/caf\u00e9"), "/v1"));
        assertEquals("/bad%FF%FE", none.apply("/bad\u00ff\u00fe", ""), "not UTF-8: percent-encoded, never mangled");
    }
}
