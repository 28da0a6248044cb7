package io.spindle.metrics;

import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.StepMetrics;

/**
 * A fact about a run, after {@link RunEventNormalizer} dropped duplicates, paired IDLE with BUSY and
 * turned the drafter's running totals into increments. Everything downstream (summary, windows, series,
 * the SSE stream) only adds these up, so none of it needs to know about duplicates or pairing.
 *
 * @param kind        what happened
 * @param run         training run
 * @param source      the worker (STEP, IDLE_*) or drafter (HARVEST) that reported it
 * @param time        event time, epoch ms (IDLE_END: when the interval ended)
 * @param step        STEP: the step as reported
 * @param reason      IDLE_*: why the worker was idle
 * @param idleMs      IDLE_END: length of the interval
 * @param idleTotalMs IDLE_END: the worker's idle time in this run so far, this interval included
 * @param timedOut    IDLE_END: closed by {@code spindle.metrics.idle-timeout}, not by a BUSY
 * @param drafter     HARVEST: the drafter's report
 * @param harvestedMs HARVEST: idle time the drafter harvested since its previous report
 */
public record RunEvent(Kind kind, String run, String source, long time, StepMetrics step, IdleReason reason,
                       long idleMs, long idleTotalMs, boolean timedOut, DrafterMetrics drafter, long harvestedMs) {

    public enum Kind { STEP, IDLE_START, IDLE_END, HARVEST }

    static RunEvent step(StepMetrics step) {
        return new RunEvent(Kind.STEP, step.run(), step.worker(), step.time(), step, null, 0, 0, false, null, 0);
    }

    static RunEvent idleStart(String run, String worker, long time, IdleReason reason) {
        return new RunEvent(Kind.IDLE_START, run, worker, time, null, reason, 0, 0, false, null, 0);
    }

    static RunEvent idleEnd(String run, String worker, long end, IdleReason reason, long idleMs, long idleTotalMs,
                            boolean timedOut) {
        return new RunEvent(Kind.IDLE_END, run, worker, end, null, reason, idleMs, idleTotalMs, timedOut, null, 0);
    }

    static RunEvent harvest(DrafterMetrics drafter, long harvestedMs) {
        return new RunEvent(Kind.HARVEST, drafter.run(), drafter.drafter(), drafter.time(), null, null, 0, 0, false,
                drafter, harvestedMs);
    }
}
