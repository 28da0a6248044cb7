package io.spindle.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One tumbling window of a run: its steps in total and per worker, the idle time that ended in it per worker,
 * the idle time the drafter harvested in it, and the drafter's latest evaluation.
 *
 * @param total        steps of all workers
 * @param workers      steps per worker
 * @param idleMs       per worker: idle intervals that ended in this window, ms
 * @param harvestedMs  idle time harvested by the drafter(s) in this window, ms
 * @param acceptLength latest accept length reported in this window, null when none
 * @param speedup      latest speed-up reported in this window, null when none
 */
public record RunWindow(StepStats total, Map<String, StepStats> workers, Map<String, Long> idleMs, long harvestedMs,
                        Double acceptLength, Double speedup) {

    public RunWindow {
        total = total == null ? StepStats.NONE : total;
        workers = workers == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(workers));
        idleMs = idleMs == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(idleMs));
    }

    static RunWindow empty() {
        return new RunWindow(StepStats.NONE, Map.of(), Map.of(), 0, null, null);
    }

    RunWindow with(RunEvent event) {
        switch (event.kind()) {
            case STEP: {
                SortedMap<String, StepStats> next = new TreeMap<>(workers);
                next.put(event.source(), workers.getOrDefault(event.source(), StepStats.NONE).with(event.step()));
                return new RunWindow(total.with(event.step()), next, idleMs, harvestedMs, acceptLength, speedup);
            }
            case IDLE_END: {
                SortedMap<String, Long> next = new TreeMap<>(idleMs);
                next.merge(event.source(), event.idleMs(), Long::sum);
                return new RunWindow(total, workers, next, harvestedMs, acceptLength, speedup);
            }
            case HARVEST:
                return new RunWindow(total, workers, idleMs, harvestedMs + event.harvestedMs(),
                        event.drafter().acceptLength(), event.drafter().speedup());
            default:
                return this;
        }
    }

    /** Run throughput in this window: the sum over workers, each over its own training time. */
    public double tokensPerS() {
        return workers.values().stream().mapToDouble(StepStats::tokensPerS).sum();
    }

    public long totalIdleMs() {
        return idleMs.values().stream().mapToLong(Long::longValue).sum();
    }
}
