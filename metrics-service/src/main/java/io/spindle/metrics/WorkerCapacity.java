package io.spindle.metrics;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;

/**
 * Idle-time totals of one worker, folded from its {@link CapacityEvent}s.
 *
 * @param worker      trainer replica id
 * @param run         run of the latest event
 * @param state       current state, from the latest event
 * @param reason      reason of the latest event
 * @param since       when the current state began, epoch ms
 * @param idlePeriods idle periods that ended (BUSY events counted)
 * @param idleMs      total idle time of those periods, as the worker measured it ({@code Busy.idleMs})
 */
public record WorkerCapacity(
        String worker, String run, State state, IdleReason reason, long since, long idlePeriods, long idleMs) {

    public enum State { IDLE, BUSY }

    public static WorkerCapacity empty() {
        return new WorkerCapacity(null, null, null, null, 0, 0, 0);
    }

    /**
     * Folds one event in. Events are per worker and in order on the partition, so one that is not newer
     * than the current state is a re-delivery and is ignored (its idle time must not count twice). A
     * repeated IDLE keeps the idle period's original start.
     */
    public WorkerCapacity with(CapacityEvent event) {
        boolean stale = state != null && event.time() <= since;
        boolean stillIdle = state == State.IDLE && event instanceof CapacityEvent.Idle;
        if (stale || stillIdle) {
            return this;
        }
        if (event instanceof CapacityEvent.Busy busy) {
            return new WorkerCapacity(busy.worker(), busy.run(), State.BUSY, busy.reason(), busy.time(),
                    idlePeriods + 1, idleMs + Math.max(0, busy.idleMs()));
        }
        return new WorkerCapacity(event.worker(), event.run(), State.IDLE, event.reason(), event.time(),
                idlePeriods, idleMs);
    }
}
