package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The idle windows of every worker, built by pairing each IDLE with the next BUSY of the same worker.
 * <p>
 * Events are applied in partition order, but the consumer is at-least-once, so after a restart or a
 * rebalance some are seen again. The rules make that harmless:
 * <ul>
 *   <li>an event older than the worker's last applied event is stale and ignored;</li>
 *   <li>an IDLE while a window is open keeps the window's original start;</li>
 *   <li>a BUSY without an open window (the IDLE was before our history, or was a re-delivery) is ignored.</li>
 * </ul>
 * Thread-safe: the consumer applies events while REST requests read snapshots. Each worker keeps only its
 * {@code history} most recent windows; its total idle time counts every window.
 */
public class IdleWindows {

    /** What one event did. */
    public enum Effect { OPENED, CLOSED, ALREADY_OPEN, NOTHING_OPEN, STALE }

    private final int history;
    private final Map<String, WorkerState> workers = new ConcurrentHashMap<>();

    public IdleWindows(int history) {
        if (history < 1) {
            throw new IllegalArgumentException("history must be at least 1, was " + history);
        }
        this.history = history;
    }

    public Effect apply(CapacityEvent event) {
        return workers.computeIfAbsent(event.worker(), WorkerState::new).apply(event, history);
    }

    /** Every known worker, ordered by id, with at most {@code limit} recent windows each. */
    public List<WorkerIdleWindows> all(int limit) {
        return workers.values().stream()
                .map(state -> state.snapshot(limit))
                .sorted(Comparator.comparing(WorkerIdleWindows::worker))
                .toList();
    }

    /** One worker, with at most {@code limit} recent windows; empty when it never sent an event. */
    public Optional<WorkerIdleWindows> worker(String worker, int limit) {
        return Optional.ofNullable(workers.get(worker)).map(state -> state.snapshot(limit));
    }

    /** Summed duration of the worker's closed windows, 0 for an unknown worker. */
    public long totalIdleMs(String worker) {
        WorkerState state = workers.get(worker);
        return state == null ? 0 : state.totalIdleMs();
    }

    /** Whether the worker has an open window now. */
    public boolean isIdle(String worker) {
        WorkerState state = workers.get(worker);
        return state != null && state.isIdle();
    }

    /** One worker's mutable state; every access holds its monitor. */
    private static final class WorkerState {
        private final String worker;
        private final Deque<IdleWindow> recent = new ArrayDeque<>();
        private OpenIdleWindow open;
        private long lastEventTime = Long.MIN_VALUE;
        private long totalIdleMs;
        private long closedWindows;

        WorkerState(String worker) {
            this.worker = worker;
        }

        synchronized Effect apply(CapacityEvent event, int history) {
            if (event.time() < lastEventTime) {
                return Effect.STALE;
            }
            lastEventTime = event.time();
            if (event instanceof CapacityEvent.Idle idle) {
                return open(idle);
            }
            return close((CapacityEvent.Busy) event, history);
        }

        private Effect open(CapacityEvent.Idle idle) {
            if (open != null) {
                return Effect.ALREADY_OPEN;
            }
            open = new OpenIdleWindow(idle.run(), idle.reason(), idle.time(), idle.expectedIdleMs());
            return Effect.OPENED;
        }

        private Effect close(CapacityEvent.Busy busy, int history) {
            if (open == null) {
                return Effect.NOTHING_OPEN;
            }
            long durationMs = Math.max(0, busy.time() - open.start());
            recent.addLast(new IdleWindow(open.run(), open.reason(), open.start(), busy.time(), durationMs));
            while (recent.size() > history) {
                recent.removeFirst();
            }
            totalIdleMs += durationMs;
            closedWindows++;
            open = null;
            return Effect.CLOSED;
        }

        synchronized WorkerIdleWindows snapshot(int limit) {
            List<IdleWindow> newest = new ArrayList<>(recent).subList(Math.max(0, recent.size() - limit), recent.size());
            return new WorkerIdleWindows(worker, open, totalIdleMs, closedWindows, List.copyOf(newest));
        }

        synchronized long totalIdleMs() {
            return totalIdleMs;
        }

        synchronized boolean isIdle() {
            return open != null;
        }
    }
}
