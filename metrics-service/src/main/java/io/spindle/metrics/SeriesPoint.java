package io.spindle.metrics;

/**
 * One point of a chart series.
 *
 * @param t      event time (raw points) or window start (windowed points), epoch ms
 * @param step   the training step for per-step points, null otherwise
 * @param series which line: a worker, a drafter, or "run" for a run-wide window value
 * @param v      the value
 */
public record SeriesPoint(long t, Long step, String series, double v) {
}
