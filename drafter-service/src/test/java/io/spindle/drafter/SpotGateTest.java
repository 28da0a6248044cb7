package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpotGateTest {

    @Test
    void opensWhileAnyServedWorkerIsIdleAndRemembersTheClosingBusy() throws InterruptedException {
        SpotGate gate = new SpotGate(Set.of("w0", "w1"));
        gate.onEvent(idle("w0", 100));
        gate.onEvent(idle("w1", 150));
        assertTrue(gate.isOpen());
        gate.onEvent(busy("w0", 200));
        assertTrue(gate.isOpen(), "w1 is still idle");
        gate.onEvent(busy("w1", 300));
        assertFalse(gate.isOpen());
        assertEquals(300, gate.closedAt());
        assertFalse(gate.awaitOpen(10));
    }

    @Test
    void ignoresWorkersItDoesNotServe() {
        SpotGate gate = new SpotGate(Set.of("w0"));
        gate.onEvent(idle("other", 100));
        assertFalse(gate.isOpen());
        assertEquals(-1, gate.closedAt());
    }

    @Test
    void starServesEveryWorker() {
        SpotGate gate = new SpotGate(Set.of("*"));
        gate.onEvent(idle("anyone", 100));
        assertTrue(gate.isOpen());
        assertTrue(gate.serves("someone-else"));
    }

    @Test
    void awaitOpenWakesWhenAnIdleArrives() throws InterruptedException {
        SpotGate gate = new SpotGate(Set.of("w0"));
        Thread opener = new Thread(() -> gate.onEvent(idle("w0", 1)));
        opener.start();
        assertTrue(gate.awaitOpen(10_000));
        opener.join();
    }

    @Test
    void percentilesAreNearestRank() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 100L);
        assertEquals(5L, SpotStats.percentile(sorted, 0.5));
        assertEquals(100L, SpotStats.percentile(sorted, 0.99));
        assertNull(SpotStats.percentile(List.of(), 0.5));
    }

    private static CapacityEvent idle(String worker, long time) {
        return new CapacityEvent.Idle(Schema.V1, worker, "r", time, IdleReason.DATA_WAIT, 0);
    }

    private static CapacityEvent busy(String worker, long time) {
        return new CapacityEvent.Busy(Schema.V1, worker, "r", time, IdleReason.DATA_WAIT, 0);
    }
}
