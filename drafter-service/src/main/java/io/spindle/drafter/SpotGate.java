package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;

import java.util.HashSet;
import java.util.Set;

/**
 * Open while at least one worker this drafter serves is IDLE. Capacity events arrive on the messaging
 * thread; the spot trainer asks {@link #isOpen()} between drafter steps and waits in {@link #awaitOpen}.
 * When the last served worker turns BUSY the gate closes and remembers that BUSY's time, from which the
 * trainer measures how long it took to get out of the way.
 */
public final class SpotGate {

    private final Set<String> served;
    private final boolean servesAll;
    private final Set<String> idleWorkers = new HashSet<>();
    private long closedAt = -1;
    private long heardClosedAt = -1;

    /** @param served worker ids, or {@code *} for any worker */
    public SpotGate(Set<String> served) {
        this.servesAll = served.contains("*");
        this.served = Set.copyOf(served);
    }

    public synchronized void onEvent(CapacityEvent event) {
        if (!serves(event.worker())) {
            return;
        }
        boolean wasOpen = !idleWorkers.isEmpty();
        if (event instanceof CapacityEvent.Idle) {
            idleWorkers.add(event.worker());
        } else {
            idleWorkers.remove(event.worker());
            if (wasOpen && idleWorkers.isEmpty()) {
                closedAt = event.time();
                heardClosedAt = System.currentTimeMillis();
            }
        }
        notifyAll();
    }

    public boolean serves(String worker) {
        return servesAll || served.contains(worker);
    }

    public synchronized boolean isOpen() {
        return !idleWorkers.isEmpty();
    }

    /** Waits up to {@code timeoutMs} for the gate to open; returns whether it is open. */
    public synchronized boolean awaitOpen(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (idleWorkers.isEmpty()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Time (epoch ms, the worker's clock) of the BUSY that last closed the gate; -1 if it never closed. */
    public synchronized long closedAt() {
        return closedAt;
    }

    /**
     * Time (epoch ms, this machine's clock) this gate heard that BUSY: minus {@link #closedAt()}, how long
     * the event took to arrive; -1 if it never closed.
     */
    public synchronized long heardClosedAt() {
        return heardClosedAt;
    }
}
