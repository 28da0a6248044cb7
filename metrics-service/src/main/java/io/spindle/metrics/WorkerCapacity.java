package io.spindle.metrics;

import io.spindle.contracts.IdleReason;

/**
 * Idle-time totals of one worker within a run, folded from the paired intervals of {@link RunEvent}s.
 *
 * @param worker      trainer replica id
 * @param run         run the worker trains
 * @param state       current state
 * @param reason      reason of the latest idle period
 * @param since       when the current state began, epoch ms
 * @param idlePeriods idle periods that ended (by BUSY or by the idle timeout)
 * @param timedOut    of those, how many were closed by the timeout
 * @param idleMs      total idle time of the ended periods
 */
public record WorkerCapacity(
        String worker, String run, State state, IdleReason reason, long since, long idlePeriods, long timedOut, long idleMs) {

    public enum State { IDLE, BUSY }

    static WorkerCapacity first(String worker, String run) {
        return new WorkerCapacity(worker, run, State.BUSY, null, 0, 0, 0, 0);
    }

    WorkerCapacity idleSince(long time, IdleReason why) {
        return new WorkerCapacity(worker, run, State.IDLE, why, time, idlePeriods, timedOut, idleMs);
    }

    WorkerCapacity busyAfter(RunEvent end) {
        return new WorkerCapacity(worker, run, State.BUSY, end.reason(), end.time(), idlePeriods + 1,
                timedOut + (end.timedOut() ? 1 : 0), idleMs + end.idleMs());
    }
}
