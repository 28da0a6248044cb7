package io.spindle.metrics;

import io.spindle.contracts.StepMetrics;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the metrics service knows about one training run, folded from its {@link StepMetrics}.
 * Immutable: {@link #with(StepMetrics)} returns the next summary, so it is safe to hand to REST and
 * gauges while the stream keeps aggregating.
 *
 * @param run            training run id
 * @param workers        latest progress per trainer replica (also the de-duplication state)
 * @param steps          distinct (worker, step) reports counted
 * @param firstStep      lowest step seen
 * @param firstLoss      training loss at {@code firstStep}
 * @param latestStep     highest step seen over all workers
 * @param latestLoss     training loss at {@code latestStep}
 * @param latestEvalStep step of the latest evaluation, 0 when none yet
 * @param latestEvalLoss held-out loss of that evaluation, null when none yet
 * @param lr             learning rate at {@code latestStep}
 * @param gradNorm       gradient norm at {@code latestStep}
 * @param tokensSeen     tokens trained, summed over the counted steps of all workers
 * @param tokensPerS     run throughput: the sum of each worker's latest tokens/s
 * @param mfu            mean of each worker's latest MFU, 0..1
 * @param dataWaitPct    share of wall time spent waiting for data, 0..100, over all counted steps
 * @param computeMs      total step compute time, ms (the denominator of {@code dataWaitPct})
 * @param dataWaitMs     total data-wait time, ms
 * @param updatedAt      newest event time seen, epoch ms
 */
public record RunSummary(
        String run,
        Map<String, WorkerProgress> workers,
        long steps,
        long firstStep,
        double firstLoss,
        long latestStep,
        double latestLoss,
        long latestEvalStep,
        Double latestEvalLoss,
        double lr,
        double gradNorm,
        long tokensSeen,
        double tokensPerS,
        double mfu,
        double dataWaitPct,
        double computeMs,
        double dataWaitMs,
        long updatedAt) {

    public RunSummary {
        workers = workers == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(workers));
    }

    /** The aggregate before the first step of a run arrives. */
    public static RunSummary empty() {
        return new RunSummary(null, Map.of(), 0, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Folds one step in. A step this worker already reported (re-delivery after a rebalance, or a
     * trainer replaying steps after restoring a checkpoint) leaves the summary unchanged, so tokens
     * and time are never counted twice.
     */
    public RunSummary with(StepMetrics step) {
        WorkerProgress previous = workers.get(step.worker());
        if (previous != null && previous.alreadyCounted(step)) {
            return this;
        }
        SortedMap<String, WorkerProgress> nextWorkers = new TreeMap<>(workers);
        nextWorkers.put(step.worker(), WorkerProgress.of(step));

        boolean first = steps == 0;
        boolean earliest = first || step.step() < firstStep;
        boolean newest = first || step.step() >= latestStep;
        boolean newestEval = step.evalLoss() != null && step.step() >= latestEvalStep;
        double nextComputeMs = computeMs + step.stepMs();
        double nextDataWaitMs = dataWaitMs + step.dataWaitMs();

        return new RunSummary(
                step.run(),
                nextWorkers,
                steps + 1,
                earliest ? step.step() : firstStep,
                earliest ? step.loss() : firstLoss,
                newest ? step.step() : latestStep,
                newest ? step.loss() : latestLoss,
                newestEval ? step.step() : latestEvalStep,
                newestEval ? step.evalLoss() : latestEvalLoss,
                newest ? step.lr() : lr,
                newest ? step.gradNorm() : gradNorm,
                tokensSeen + step.tokens(),
                nextWorkers.values().stream().mapToDouble(WorkerProgress::tokensPerS).sum(),
                nextWorkers.values().stream().mapToDouble(WorkerProgress::mfu).average().orElse(0),
                percent(nextDataWaitMs, nextComputeMs + nextDataWaitMs),
                nextComputeMs,
                nextDataWaitMs,
                Math.max(updatedAt, step.time()));
    }

    private static double percent(double part, double whole) {
        return whole > 0 ? 100.0 * part / whole : 0;
    }
}
