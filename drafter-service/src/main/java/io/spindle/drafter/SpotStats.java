package io.spindle.drafter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the spot trainer has harvested: idle time it trained in, steps, and how fast it yielded on BUSY.
 * Written by the spot trainer's thread, read by REST and metrics.
 */
public final class SpotStats {

    /** Latencies kept for percentiles; older ones roll off. */
    private static final int LATENCY_HISTORY = 1000;

    private final List<Long> preemptionLatenciesMs = new ArrayList<>();
    private long harvestedMs;
    private long windows;
    private long steps;
    private float lastLoss = Float.NaN;
    private Double acceptLength;
    private Double speedup;
    private volatile String state = "WAITING";

    synchronized void stepped(long totalSteps, float loss) {
        steps = totalSteps;
        lastLoss = loss;
    }

    synchronized void windowEnded(long trainedMs, long preemptionLatencyMs) {
        windows++;
        harvestedMs += trainedMs;
        if (preemptionLatencyMs >= 0) {
            preemptionLatenciesMs.add(preemptionLatencyMs);
            if (preemptionLatenciesMs.size() > LATENCY_HISTORY) {
                preemptionLatenciesMs.remove(0);
            }
        }
    }

    /** The latest speed-up probe ({@link SpeedupProbe}). */
    synchronized void measured(double acceptLength, double speedup) {
        this.acceptLength = acceptLength;
        this.speedup = speedup;
    }

    void state(String state) {
        this.state = state;
    }

    /**
     * What {@code GET /api/spot} answers; {@code acceptLength} and {@code speedup} are the latest probe's,
     * null until one ran.
     */
    public record View(String state, long steps, Float loss, long windows, long harvestedMs,
                       Long preemptionP50Ms, Long preemptionP99Ms, Long lastPreemptionMs,
                       Double acceptLength, Double speedup) {
    }

    public synchronized View view() {
        List<Long> sorted = new ArrayList<>(preemptionLatenciesMs);
        Collections.sort(sorted);
        return new View(state, steps, Float.isNaN(lastLoss) ? null : lastLoss, windows, harvestedMs,
                percentile(sorted, 0.50), percentile(sorted, 0.99),
                preemptionLatenciesMs.isEmpty() ? null : preemptionLatenciesMs.get(preemptionLatenciesMs.size() - 1),
                acceptLength, speedup);
    }

    /** Nearest-rank percentile; null when nothing was measured. */
    static Long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
