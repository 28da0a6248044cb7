package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.spindle.drafter.IdleWindows.Effect.ALREADY_OPEN;
import static io.spindle.drafter.IdleWindows.Effect.CLOSED;
import static io.spindle.drafter.IdleWindows.Effect.NOTHING_OPEN;
import static io.spindle.drafter.IdleWindows.Effect.OPENED;
import static io.spindle.drafter.IdleWindows.Effect.STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleWindowsTest {

    private final IdleWindows windows = new IdleWindows(3);

    static CapacityEvent idle(String worker, long time) {
        return new CapacityEvent.Idle(Schema.V1, worker, "r1", time, IdleReason.DATA_WAIT, 250);
    }

    static CapacityEvent busy(String worker, long time) {
        return new CapacityEvent.Busy(Schema.V1, worker, "r1", time, IdleReason.DATA_WAIT, 0);
    }

    private WorkerIdleWindows w0() {
        return windows.worker("w0", 100).orElseThrow();
    }

    @Test
    void pairsIdleWithTheNextBusy() {
        assertEquals(OPENED, windows.apply(idle("w0", 1_000)));
        assertTrue(windows.isIdle("w0"));
        assertEquals(1_000, w0().open().start());
        assertEquals(250, w0().open().expectedIdleMs());

        assertEquals(CLOSED, windows.apply(busy("w0", 1_400)));
        WorkerIdleWindows w0 = w0();
        assertNull(w0.open());
        assertEquals(List.of(new IdleWindow("r1", IdleReason.DATA_WAIT, 1_000, 1_400, 400)), w0.recent());
        assertEquals(400, w0.totalIdleMs());
        assertFalse(windows.isIdle("w0"));
    }

    @Test
    void busyWithoutIdleIsIgnored() {
        assertEquals(NOTHING_OPEN, windows.apply(busy("w0", 1_000)));
        assertEquals(0, w0().closedWindows());
        assertNull(w0().open());
    }

    @Test
    void repeatedIdleKeepsTheFirstStart() {
        windows.apply(idle("w0", 1_000));
        assertEquals(ALREADY_OPEN, windows.apply(idle("w0", 1_300)));
        windows.apply(busy("w0", 1_500));
        assertEquals(500, w0().totalIdleMs());
        assertEquals(1, w0().closedWindows());
    }

    @Test
    void redeliveredEventsChangeNothing() {
        windows.apply(idle("w0", 1_000));
        windows.apply(busy("w0", 1_500));
        assertEquals(STALE, windows.apply(idle("w0", 1_000)));
        assertEquals(NOTHING_OPEN, windows.apply(busy("w0", 1_500)));
        assertEquals(500, w0().totalIdleMs());
        assertEquals(1, w0().closedWindows());
    }

    @Test
    void keepsBoundedHistoryButTotalsEverything() {
        for (int i = 0; i < 5; i++) {
            windows.apply(idle("w0", i * 1_000));
            windows.apply(busy("w0", i * 1_000 + 100));
        }
        WorkerIdleWindows w0 = w0();
        assertEquals(500, w0.totalIdleMs());
        assertEquals(5, w0.closedWindows());
        assertEquals(3, w0.recent().size(), "history of 3");
        assertEquals(4_000, w0.recent().get(2).start(), "newest last");
        assertEquals(1, windows.worker("w0", 1).orElseThrow().recent().size(), "limit");
    }

    @Test
    void workersAreIndependent() {
        windows.apply(idle("w1", 1_000));
        windows.apply(idle("w0", 2_000));
        windows.apply(busy("w0", 2_100));

        assertEquals(List.of("w0", "w1"), windows.all(10).stream().map(WorkerIdleWindows::worker).toList());
        assertTrue(windows.isIdle("w1"));
        assertEquals(100, windows.totalIdleMs("w0"));
        assertEquals(0, windows.totalIdleMs("unknown"));
        assertTrue(windows.worker("unknown", 10).isEmpty());
    }

    @Test
    void concurrentWritersAndReadersAgree() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            String worker = "w" + t;
            pool.submit(() -> {
                for (int i = 0; i < 1_000; i++) {
                    windows.apply(idle(worker, i * 10L));
                    windows.apply(busy(worker, i * 10L + 3));
                    windows.all(3);
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        for (WorkerIdleWindows w : windows.all(3)) {
            assertEquals(3_000, w.totalIdleMs());
            assertEquals(1_000, w.closedWindows());
        }
    }

    @Test
    void rejectsAnEmptyHistory() {
        assertThrows(IllegalArgumentException.class, () -> new IdleWindows(0));
    }
}
