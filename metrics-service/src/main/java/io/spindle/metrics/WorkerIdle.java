package io.spindle.metrics;

import io.spindle.contracts.IdleReason;

/**
 * {@link RunEventNormalizer}'s idle bookkeeping of one worker in one run (store key {@code run/worker}).
 *
 * @param run           training run
 * @param worker        trainer replica
 * @param lastEventTime time of its newest capacity event; anything not newer is a re-delivery
 * @param openSince     start of the open idle interval, null when busy
 * @param reason        reason of the open (or latest) interval
 * @param timedOutSince start of the latest interval the timeout closed, until its late BUSY arrives
 * @param totalMs       idle time of all closed intervals
 */
public record WorkerIdle(String run, String worker, long lastEventTime, Long openSince, IdleReason reason,
                         Long timedOutSince, long totalMs) {

    static WorkerIdle none(String run, String worker) {
        return new WorkerIdle(run, worker, Long.MIN_VALUE, null, null, null, 0);
    }

    static String key(String run, String worker) {
        return run + "/" + worker;
    }
}
