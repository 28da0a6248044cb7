package io.spindle.trainer;

import java.util.Locale;

/**
 * Running totals for the progress log: the data-wait share over the whole run, and tokens/s and time per
 * step over the steps since the last log line (steadier than one step's). The wait before a process's first
 * step is left out of the share: it is start-up (group join, first fetch, a feed not yet running), not the
 * pipeline being slower than the trainer. It is still reported, truthfully, as that step's dataWaitMs.
 */
final class ProgressWindow {

    private double runWaitMs;
    private double runStepMs;
    private long windowSteps;
    private long windowTokens;
    private double windowMs;
    private boolean first = true;

    /** Records one step. */
    void add(long tokens, double stepMs, double dataWaitMs) {
        if (!first) {
            runWaitMs += dataWaitMs;
        }
        first = false;
        runStepMs += stepMs;
        windowSteps++;
        windowTokens += tokens;
        windowMs += stepMs + dataWaitMs;
    }

    /** Share of wall time spent waiting for data since the first step, 0..1. */
    double dataWaitShare() {
        double total = runWaitMs + runStepMs;
        return total <= 0 ? 0 : runWaitMs / total;
    }

    /** The progress line for {@code step} (of {@code maxSteps}, 0 = open-ended); starts a new window. */
    String line(long step, long maxSteps, double loss, double lr, double gradNorm, double mfu, long peakRssMb) {
        double tokensPerS = windowMs <= 0 ? 0 : windowTokens * 1000.0 / windowMs;
        String eta = "";
        if (maxSteps > 0 && windowSteps > 0) {
            long seconds = (long) ((maxSteps - step) * (windowMs / windowSteps) / 1000);
            eta = String.format(Locale.ROOT, " eta %dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }
        windowSteps = 0;
        windowTokens = 0;
        windowMs = 0;
        return String.format(Locale.ROOT,
                "step %d%s loss %.4f lr %.2e grad %.2f %,.0f tok/s mfu %.1f%% data-wait %.2f%% peak-rss %d MB%s",
                step, maxSteps > 0 ? "/" + maxSteps : "", loss, lr, gradNorm, tokensPerS, mfu * 100,
                dataWaitShare() * 100, peakRssMb, eta);
    }
}
