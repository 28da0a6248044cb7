package io.spindle.trainer;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleTrackerTest {

    private final IdleTracker tracker = new IdleTracker("run", "w0", 100);

    @Test
    void shortWaitsAreNotAnnounced() {
        assertTrue(tracker.waiting(1_000, IdleReason.DATA_WAIT).isEmpty());
        assertTrue(tracker.waiting(1_100, IdleReason.DATA_WAIT).isEmpty());
        assertTrue(tracker.resumed(1_100).isEmpty());
        assertFalse(tracker.isIdle());
    }

    @Test
    void longWaitAnnouncesIdleOnceThenBusyWithItsDuration() {
        tracker.waiting(1_000, IdleReason.DATA_WAIT);
        CapacityEvent.Idle idle = tracker.waiting(1_150, IdleReason.DATA_WAIT).orElseThrow();
        assertEquals(1_150, idle.time());
        assertEquals(IdleReason.DATA_WAIT, idle.reason());
        assertEquals("w0", idle.worker());
        assertTrue(tracker.waiting(1_400, IdleReason.DATA_WAIT).isEmpty(), "announced once per wait");
        assertTrue(tracker.isIdle());

        CapacityEvent.Busy busy = tracker.resumed(1_900).orElseThrow();
        assertEquals(750, busy.idleMs());
        assertEquals(IdleReason.DATA_WAIT, busy.reason());
        assertFalse(tracker.isIdle());
    }

    @Test
    void eachWaitIsMeasuredFromItsOwnStart() {
        tracker.waiting(0, IdleReason.DATA_WAIT);
        tracker.waiting(500, IdleReason.DATA_WAIT);
        tracker.resumed(600);
        assertTrue(tracker.waiting(10_000, IdleReason.DATA_WAIT).isEmpty(), "a new wait starts its own clock");
        assertTrue(tracker.waiting(10_101, IdleReason.DATA_WAIT).isPresent());
    }
}
