package io.spindle.metrics;

import io.spindle.contracts.StepMetrics;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the metrics service knows about one training run, folded from its {@link RunEvent}s (already
 * de-duplicated and paired, so every event counts). Immutable: {@link #with(RunEvent)} returns the next
 * summary, safe to hand to REST, gauges and SSE while the stream goes on.
 *
 * @param run            training run id
 * @param workers        latest progress per trainer replica
 * @param capacity       idle bookkeeping per trainer replica
 * @param drafter        the drafter's latest report, null before the first
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
 * @param computeMs      total step compute time, ms
 * @param dataWaitMs     total data-wait time, ms
 * @param idleMs         idle time of all workers' closed idle intervals, ms
 * @param harvestedMs    idle time the drafter(s) trained in, ms
 * @param harvestPct     harvestedMs / idleMs, 0..100 (may pass 100 while an interval is still open)
 * @param acceptLength   speculative decoding accept length, latest drafter evaluation (0 before)
 * @param speedup        speculative over target-only tokens/s, latest drafter evaluation (0 before)
 * @param updatedAt      newest event time seen, epoch ms
 */
public record RunSummary(
        String run,
        Map<String, WorkerProgress> workers,
        Map<String, WorkerCapacity> capacity,
        DrafterProgress drafter,
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
        long idleMs,
        long harvestedMs,
        double harvestPct,
        double acceptLength,
        double speedup,
        long updatedAt) {

    public RunSummary {
        workers = workers == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(workers));
        capacity = capacity == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(capacity));
    }

    /** The aggregate before the first event of a run arrives. */
    public static RunSummary empty() {
        return new RunSummary(null, Map.of(), Map.of(), null, 0, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public RunSummary with(RunEvent event) {
        switch (event.kind()) {
            case STEP:
                return withStep(event.step());
            case IDLE_START:
                return withCapacity(event, capacityOf(event).idleSince(event.time(), event.reason()), 0);
            case IDLE_END:
                return withCapacity(event, capacityOf(event).busyAfter(event), event.idleMs());
            case HARVEST:
                return withHarvest(event);
            default:
                throw new IllegalArgumentException("unknown event kind " + event.kind());
        }
    }

    private RunSummary withStep(StepMetrics step) {
        SortedMap<String, WorkerProgress> nextWorkers = new TreeMap<>(workers);
        WorkerProgress previous = workers.get(step.worker());
        if (previous == null || !previous.newerThanOrSame(step)) {
            nextWorkers.put(step.worker(), WorkerProgress.of(step));
        }
        boolean first = steps == 0;
        boolean earliest = first || step.step() < firstStep;
        boolean newest = first || step.step() >= latestStep;
        boolean newestEval = step.evalLoss() != null && step.step() >= latestEvalStep;
        double nextComputeMs = computeMs + step.stepMs();
        double nextDataWaitMs = dataWaitMs + step.dataWaitMs();
        return new RunSummary(step.run(), nextWorkers, capacity, drafter,
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
                nextComputeMs, nextDataWaitMs,
                idleMs, harvestedMs, harvestPct, acceptLength, speedup,
                Math.max(updatedAt, step.time()));
    }

    private WorkerCapacity capacityOf(RunEvent event) {
        WorkerCapacity current = capacity.get(event.source());
        return current != null ? current : WorkerCapacity.first(event.source(), event.run());
    }

    private RunSummary withCapacity(RunEvent event, WorkerCapacity worker, long addedIdleMs) {
        SortedMap<String, WorkerCapacity> nextCapacity = new TreeMap<>(capacity);
        nextCapacity.put(event.source(), worker);
        long nextIdle = idleMs + addedIdleMs;
        return new RunSummary(event.run(), workers, nextCapacity, drafter, steps, firstStep, firstLoss, latestStep,
                latestLoss, latestEvalStep, latestEvalLoss, lr, gradNorm, tokensSeen, tokensPerS, mfu, dataWaitPct,
                computeMs, dataWaitMs, nextIdle, harvestedMs, percent(harvestedMs, nextIdle), acceptLength, speedup,
                Math.max(updatedAt, event.time()));
    }

    private RunSummary withHarvest(RunEvent event) {
        boolean newest = drafter == null || event.time() >= drafter.time();
        DrafterProgress nextDrafter = newest ? DrafterProgress.of(event.drafter()) : drafter;
        long nextHarvested = harvestedMs + event.harvestedMs();
        return new RunSummary(event.run(), workers, capacity, nextDrafter, steps, firstStep, firstLoss, latestStep,
                latestLoss, latestEvalStep, latestEvalLoss, lr, gradNorm, tokensSeen, tokensPerS, mfu, dataWaitPct,
                computeMs, dataWaitMs, idleMs, nextHarvested, percent(nextHarvested, idleMs),
                nextDrafter.acceptLength(), nextDrafter.speedup(), Math.max(updatedAt, event.time()));
    }

    static double percent(double part, double whole) {
        return whole > 0 ? 100.0 * part / whole : 0;
    }
}
