package dev.caravan.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadTimeTest {

    @Test
    void outsideAReadTheClockIsAsked() {
        long before = System.nanoTime();
        long now = ReadTime.now();
        assertTrue(now >= before && now <= System.nanoTime());
    }

    @Test
    void everythingAReadSetsOffGetsTheReadsTime() {
        long read = System.nanoTime() - 5_000_000;
        long outer = ReadTime.begin(read);
        try {
            assertEquals(read, ReadTime.now());
            RequestLog log = new RequestLog(read, read);
            log.backendResponded();
            log.ended(RequestLog.Outcome.COMPLETED);
            assertEquals(0, log.durationNanos(), "head, backend answer and end in one read: one clock value");
        } finally {
            ReadTime.end(outer);
        }
        assertTrue(ReadTime.now() > read, "after the read the clock is asked again");
    }

    @Test
    void aReadWithinAReadRestoresTheOuterOnesTime() {
        long first = ReadTime.begin(100);
        try {
            long second = ReadTime.begin(200);
            try {
                assertEquals(200, ReadTime.now());
            } finally {
                ReadTime.end(second);
            }
            assertEquals(100, ReadTime.now());
        } finally {
            ReadTime.end(first);
        }
    }
}
