package io.spindle.contracts;

/**
 * Progress of the speculative-decoding drafter; {@code drafter.metrics}, key: drafter.
 *
 * @param schema              {@link Schema#V1}
 * @param drafter             drafter instance id
 * @param run                 target run the drafter serves
 * @param time                epoch ms
 * @param harvestedIdleMs     idle worker time the drafter trained in, since it started
 * @param steps               drafter optimizer steps so far
 * @param loss                latest drafter loss
 * @param acceptLength        mean tokens accepted per target verification, latest evaluation
 * @param speedup             speculative over target-only tokens/s, latest evaluation
 * @param preemptionLatencyMs time from BUSY to the drafter stopping, latest window
 */
public record DrafterMetrics(
        int schema,
        String drafter,
        String run,
        long time,
        long harvestedIdleMs,
        long steps,
        double loss,
        double acceptLength,
        double speedup,
        double preemptionLatencyMs) {
}
