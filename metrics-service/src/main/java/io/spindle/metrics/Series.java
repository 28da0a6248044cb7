package io.spindle.metrics;

import java.util.List;

/**
 * A chart's data: the points of one metric of one run.
 *
 * @param run       training run
 * @param metric    metric id ({@link SeriesMetric})
 * @param window    window size ("10s", "1m") for windowed points, null for raw points
 * @param from      start of the asked range, epoch ms
 * @param to        end of the asked range, epoch ms
 * @param truncated true when older points were left out ({@code spindle.metrics.max-series-points})
 * @param points    the points, oldest first
 */
public record Series(String run, String metric, String window, long from, long to, boolean truncated,
                     List<SeriesPoint> points) {
}
