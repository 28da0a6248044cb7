package io.spindle.metrics;

import io.spindle.contracts.DrafterMetrics;

/**
 * The latest report of the drafter(s) serving a run.
 *
 * @param drafter             drafter instance of the latest report
 * @param time                event time of that report, epoch ms
 * @param steps               drafter optimizer steps
 * @param loss                drafter loss
 * @param acceptLength        mean tokens accepted per verification, latest evaluation
 * @param speedup             speculative over target-only tokens/s, latest evaluation
 * @param preemptionLatencyMs BUSY-to-stop latency, latest window
 */
public record DrafterProgress(String drafter, long time, long steps, double loss, double acceptLength, double speedup,
                              double preemptionLatencyMs) {

    static DrafterProgress of(DrafterMetrics m) {
        return new DrafterProgress(m.drafter(), m.time(), m.steps(), m.loss(), m.acceptLength(), m.speedup(),
                m.preemptionLatencyMs());
    }
}
