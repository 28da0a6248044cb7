package io.spindle.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus gauges of the latest values per run ({@code spindle_run_loss{run="..."}} and friends).
 * Every run is a label value, so the set is capped: only the most recently updated
 * {@code spindle.metrics.max-gauge-runs} runs keep gauges, older ones are removed from the registry.
 */
@Singleton
public class RunGauges {

    private static final Logger LOG = Logger.getLogger(RunGauges.class);

    private record GaugeSpec(String name, String description, ToDoubleFunction<RunSummary> value) {
    }

    private static final List<GaugeSpec> GAUGES = List.of(
            new GaugeSpec("spindle.run.loss", "Training loss at the latest step", RunSummary::latestLoss),
            new GaugeSpec("spindle.run.step", "Latest optimizer step", s -> s.latestStep()),
            new GaugeSpec("spindle.run.tokens.per.second", "Run throughput, sum over workers", RunSummary::tokensPerS),
            new GaugeSpec("spindle.run.mfu", "Mean model FLOPs utilisation over workers, 0..1", RunSummary::mfu),
            new GaugeSpec("spindle.run.data.wait.percent", "Share of training time spent waiting for data", RunSummary::dataWaitPct),
            new GaugeSpec("spindle.run.tokens", "Tokens trained so far", s -> s.tokensSeen()),
            new GaugeSpec("spindle.run.idle.seconds", "Idle time of the run's workers, closed intervals", s -> s.idleMs() / 1000.0),
            new GaugeSpec("spindle.run.harvested.seconds", "Idle time the drafter trained in", s -> s.harvestedMs() / 1000.0),
            new GaugeSpec("spindle.run.accept.length", "Speculative decoding accept length, latest evaluation", RunSummary::acceptLength),
            new GaugeSpec("spindle.run.speedup", "Speculative over target-only tokens/s, latest evaluation", RunSummary::speedup));

    private record TrackedRun(AtomicReference<RunSummary> latest, List<Meter> meters) {
    }

    private final MeterRegistry registry;
    private final int maxRuns;
    /** Access-ordered, so the first entry is the run updated longest ago. */
    private final Map<String, TrackedRun> runs = new LinkedHashMap<>(16, 0.75f, true);

    @Inject
    RunGauges(MeterRegistry registry, MetricsConfig config) {
        this(registry, config.maxGaugeRuns());
    }

    public RunGauges(MeterRegistry registry, int maxRuns) {
        this.registry = registry;
        this.maxRuns = maxRuns;
    }

    public synchronized void update(RunSummary summary) {
        TrackedRun tracked = runs.get(summary.run());
        if (tracked == null) {
            tracked = register(summary);
            runs.put(summary.run(), tracked);
            evictOldest();
        }
        tracked.latest().set(summary);
    }

    /** Runs that currently have gauges, oldest update first. */
    public synchronized List<String> trackedRuns() {
        return List.copyOf(runs.keySet());
    }

    private TrackedRun register(RunSummary summary) {
        AtomicReference<RunSummary> latest = new AtomicReference<>(summary);
        List<Meter> meters = new ArrayList<>(GAUGES.size());
        for (GaugeSpec spec : GAUGES) {
            meters.add(Gauge.builder(spec.name(), latest, ref -> spec.value().applyAsDouble(ref.get()))
                    .description(spec.description())
                    .tag("run", summary.run())
                    .strongReference(true)
                    .register(registry));
        }
        return new TrackedRun(latest, meters);
    }

    private void evictOldest() {
        Iterator<Map.Entry<String, TrackedRun>> oldestFirst = runs.entrySet().iterator();
        while (runs.size() > maxRuns && oldestFirst.hasNext()) {
            Map.Entry<String, TrackedRun> oldest = oldestFirst.next();
            oldest.getValue().meters().forEach(registry::remove);
            oldestFirst.remove();
            LOG.debugf("gauges of run %s removed: more than %d runs", oldest.getKey(), maxRuns);
        }
    }
}
