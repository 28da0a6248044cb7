package io.spindle.metrics;

import io.spindle.contracts.StepMetrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The metrics a chart can ask for, and how each is read from a {@link RunEvent} (raw points: per step, per idle
 * interval, per drafter report) and from a {@link RunWindow} (one point per window and line). The REST series,
 * the SSE stream and so the dashboard all use these, so a value is computed in one place.
 */
public enum SeriesMetric {

    LOSS("loss", step(StepMetrics::loss), window(w -> w.total().steps() > 0 ? w.total().meanLoss() : null)),
    LOSS_MIN("loss_min", null, window(w -> w.total().steps() > 0 ? w.total().lossMin() : null)),
    LOSS_MAX("loss_max", null, window(w -> w.total().steps() > 0 ? w.total().lossMax() : null)),
    EVAL_LOSS("eval_loss", step(StepMetrics::evalLoss), null),
    LR("lr", step(StepMetrics::lr), null),
    GRAD_NORM("grad_norm", step(StepMetrics::gradNorm), null),
    STEPS("steps", null, window(w -> (double) w.total().steps())),
    TOKENS("tokens", step(s -> (double) s.tokens()), window(w -> (double) w.total().tokens())),
    TOKENS_PER_S("tokens_per_s", step(StepMetrics::tokensPerS), window(RunWindow::tokensPerS)),
    MFU("mfu", step(StepMetrics::mfu), window(w -> w.total().steps() > 0 ? w.total().mfu() : null)),
    DATA_WAIT_PCT("data_wait_pct", step(s -> RunSummary.percent(s.dataWaitMs(), s.stepMs() + s.dataWaitMs())),
            window(w -> w.total().steps() > 0 ? w.total().dataWaitPct() : null)),
    /** Raw: each worker's running idle total after each interval. Windowed: idle time that ended in the window. */
    IDLE_S("idle_s", e -> e.kind() == RunEvent.Kind.IDLE_END ? e.idleTotalMs() / 1000.0 : null,
            w -> perSeries(w.idleMs(), ms -> ms / 1000.0)),
    /** Raw: each drafter's running total. Windowed: harvested in the window. */
    HARVESTED_S("harvested_s", e -> e.kind() == RunEvent.Kind.HARVEST ? e.drafter().harvestedIdleMs() / 1000.0 : null,
            window(w -> w.harvestedMs() > 0 ? w.harvestedMs() / 1000.0 : null)),
    ACCEPT_LENGTH("accept_length", e -> e.kind() == RunEvent.Kind.HARVEST ? e.drafter().acceptLength() : null,
            window(RunWindow::acceptLength)),
    SPEEDUP("speedup", e -> e.kind() == RunEvent.Kind.HARVEST ? e.drafter().speedup() : null, window(RunWindow::speedup));

    /** The series name of run-wide window values. */
    public static final String RUN_SERIES = "run";

    private final String id;
    private final Function<RunEvent, Double> raw;
    private final Function<RunWindow, Map<String, Double>> windowed;

    SeriesMetric(String id, Function<RunEvent, Double> raw, Function<RunWindow, Map<String, Double>> windowed) {
        this.id = id;
        this.raw = raw;
        this.windowed = windowed;
    }

    public String id() {
        return id;
    }

    public static Optional<SeriesMetric> byId(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst();
    }

    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(SeriesMetric::id).toList());
    }

    public boolean hasRaw() {
        return raw != null;
    }

    public boolean hasWindowed() {
        return windowed != null;
    }

    /** The point this event adds to the metric's raw series, if it carries the metric. */
    public Optional<SeriesPoint> point(RunEvent event) {
        Double value = raw == null ? null : raw.apply(event);
        if (value == null || value.isNaN() || value.isInfinite()) {
            return Optional.empty();
        }
        Long step = event.step() != null ? event.step().step() : null;
        return Optional.of(new SeriesPoint(event.time(), step, event.source(), value));
    }

    /** The window's points: one per line ("run" for run-wide values). */
    public Map<String, Double> values(RunWindow window) {
        return windowed == null ? Map.of() : windowed.apply(window);
    }

    private static Function<RunEvent, Double> step(Function<StepMetrics, Double> read) {
        return e -> e.kind() == RunEvent.Kind.STEP ? read.apply(e.step()) : null;
    }

    private static Function<RunWindow, Map<String, Double>> window(Function<RunWindow, Double> read) {
        return w -> {
            Double value = read.apply(w);
            return value == null ? Map.of() : Map.of(RUN_SERIES, value);
        };
    }

    private static <V> Map<String, Double> perSeries(Map<String, V> values, Function<V, Double> read) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((series, value) -> out.put(series, read.apply(value)));
        return out;
    }
}
