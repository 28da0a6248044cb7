package io.spindle.metrics;

import io.spindle.contracts.StepMetrics;

/**
 * The newest step one trainer replica reported for a run.
 *
 * @param latestStep highest step this worker reported
 * @param loss       training loss of that step
 * @param tokensPerS tokens/s of that step
 * @param mfu        model FLOPs utilisation of that step, 0..1
 * @param updatedAt  event time of that step, epoch ms
 */
public record WorkerProgress(long latestStep, double loss, double tokensPerS, double mfu, long updatedAt) {

    static WorkerProgress of(StepMetrics step) {
        return new WorkerProgress(step.step(), step.loss(), step.tokensPerS(), step.mfu(), step.time());
    }

    /** A late step older than this worker's newest one must not replace it as "latest". */
    boolean newerThanOrSame(StepMetrics step) {
        return latestStep > step.step();
    }
}
