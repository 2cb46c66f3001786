package dev.caravan.observe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceContextTest {

    @Test
    void aContinuedTraceKeepsItsIdAndFlagsUnderTheGatewaysSpan() {
        TraceContext trace = TraceContext.continueOrStart(
                List.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
        assertTrue(trace.continued());
        assertEquals("00f067aa0ba902b7", trace.parentId());
        String sent = trace.traceparent().toString();
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + trace.spanId() + "-00", sent);
        assertNotEquals("00f067aa0ba902b7", trace.spanId());
    }

    @Test
    void aNewTraceIsSampledAndItsTraceparentMatchesItsIds() {
        TraceContext trace = TraceContext.continueOrStart(List.of());
        assertFalse(trace.continued());
        assertTrue(trace.traceId().matches("[0-9a-f]{32}"), trace.traceId());
        assertTrue(trace.spanId().matches("[0-9a-f]{16}"), trace.spanId());
        assertEquals("00-" + trace.traceId() + "-" + trace.spanId() + "-01", trace.traceparent().toString());
    }

    @Test
    void newRequestIdsAre32HexDigits() {
        CharSequence id = new RequestIds(true).idFor(List.of());
        assertTrue(id.toString().matches("[0-9a-f]{32}"), id.toString());
        assertEquals("kept-1", new RequestIds(true).idFor(List.of("kept-1")).toString());
    }
}
