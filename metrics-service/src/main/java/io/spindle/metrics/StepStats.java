package io.spindle.metrics;

import io.spindle.contracts.StepMetrics;

/**
 * Steps of one worker (or of a whole run) inside one window.
 *
 * @param steps      steps counted
 * @param tokens     tokens trained
 * @param stepMs     compute time, ms
 * @param dataWaitMs time waiting for data, ms
 * @param lossSum    sum of the steps' losses (mean = lossSum / steps)
 * @param lossMin    lowest loss
 * @param lossMax    highest loss
 * @param mfuSum     sum of the steps' MFU (mean = mfuSum / steps)
 *
 * <p>Only the sums are stored: the derived values (mean loss, MFU, tokens/s, data-wait %) are computed when read,
 * since a window store rewrites its aggregate on every event.
 */
public record StepStats(long steps, long tokens, double stepMs, double dataWaitMs, double lossSum, double lossMin,
                        double lossMax, double mfuSum) {

    static final StepStats NONE = new StepStats(0, 0, 0, 0, 0, 0, 0, 0);

    StepStats with(StepMetrics step) {
        boolean first = steps == 0;
        return new StepStats(steps + 1, tokens + step.tokens(), stepMs + step.stepMs(), dataWaitMs + step.dataWaitMs(),
                lossSum + step.loss(),
                first ? step.loss() : Math.min(lossMin, step.loss()),
                first ? step.loss() : Math.max(lossMax, step.loss()),
                mfuSum + step.mfu());
    }

    public double meanLoss() {
        return steps > 0 ? lossSum / steps : 0;
    }

    public double mfu() {
        return steps > 0 ? mfuSum / steps : 0;
    }

    /** Tokens per second of training time (compute + data wait), so a window the worker only half filled is not diluted. */
    public double tokensPerS() {
        double ms = stepMs + dataWaitMs;
        return ms > 0 ? tokens * 1000.0 / ms : 0;
    }

    public double dataWaitPct() {
        return RunSummary.percent(dataWaitMs, stepMs + dataWaitMs);
    }
}
