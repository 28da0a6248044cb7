package io.spindle.trainer;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;

import java.util.Optional;

/**
 * Turns "still waiting" and "working again" into IDLE/BUSY events: IDLE once a wait has lasted longer than
 * the threshold (short hiccups are not worth a drafter's time), BUSY the moment work resumes after an IDLE.
 * Not thread-safe: the training loop owns it.
 */
final class IdleTracker {

    private final String run;
    private final String worker;
    private final long thresholdMs;

    private long waitStartedAt = -1;
    private CapacityEvent.Idle announced;

    IdleTracker(String run, String worker, long thresholdMs) {
        this.run = run;
        this.worker = worker;
        this.thresholdMs = thresholdMs;
    }

    /** The loop is waiting at {@code now} for the given reason; returns an IDLE the first time it is due. */
    Optional<CapacityEvent.Idle> waiting(long now, IdleReason reason) {
        if (waitStartedAt < 0) {
            waitStartedAt = now;
        }
        if (announced != null || now - waitStartedAt <= thresholdMs) {
            return Optional.empty();
        }
        // Expect the wait to last about as long as it already has: a cheap, honest guess without history.
        announced = new CapacityEvent.Idle(Schema.V1, worker, run, now, reason, now - waitStartedAt);
        return Optional.of(announced);
    }

    /** Work resumed at {@code now}; returns a BUSY if an IDLE was announced for this wait. */
    Optional<CapacityEvent.Busy> resumed(long now) {
        CapacityEvent.Idle idle = announced;
        waitStartedAt = -1;
        announced = null;
        if (idle == null) {
            return Optional.empty();
        }
        return Optional.of(new CapacityEvent.Busy(Schema.V1, worker, run, now, idle.reason(), now - idle.time()));
    }

    boolean isIdle() {
        return announced != null;
    }
}
