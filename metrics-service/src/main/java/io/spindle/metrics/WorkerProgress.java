package io.spindle.metrics;

import io.spindle.contracts.StepMetrics;

/**
 * The latest step one trainer replica reported for a run. Kept per worker so that a re-delivered or
 * replayed step (same worker, step not newer) is recognised and not counted twice.
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

    /** True when {@code step} is not newer than what this worker already reported: a duplicate. */
    boolean alreadyCounted(StepMetrics step) {
        return step.step() <= latestStep;
    }
}
