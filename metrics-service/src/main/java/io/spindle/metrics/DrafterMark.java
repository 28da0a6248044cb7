package io.spindle.metrics;

/**
 * {@link RunEventNormalizer}'s memory of one drafter's newest report for a run (store key {@code run/drafter}).
 *
 * @param time        event time of that report
 * @param harvestedMs its running total of harvested idle time
 */
public record DrafterMark(long time, long harvestedMs) {
}
