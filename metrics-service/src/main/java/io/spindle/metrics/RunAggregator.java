package io.spindle.metrics;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds each {@link RunEvent} to its run's summary and to its window of every size. The DSL's aggregate and
 * windowed aggregate, on live stores ({@link LiveKeyValueStore}, {@link LiveWindowStore}): the aggregates stay
 * objects between commits instead of being read from and written back to bytes on every event. Same rules as the
 * DSL: an aggregate's timestamp is the newest of its events; a window takes an event until the stream time seen
 * here passes the window's end plus the grace, a later event is left out of it (the summary still counts it).
 */
final class RunAggregator implements Processor<String, RunEvent, Void, Void> {

    /** One window size and its store. */
    record WindowSpec(String store, Duration size, Duration grace) {
    }

    private final String summariesStore;
    private final List<WindowSpec> specs;
    private TimestampedKeyValueStore<String, RunSummary> summaries;
    private final List<TimestampedWindowStore<String, RunWindow>> windows = new ArrayList<>();
    private long streamTime = Long.MIN_VALUE;

    RunAggregator(String summariesStore, List<WindowSpec> specs) {
        this.summariesStore = summariesStore;
        this.specs = specs;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        summaries = context.getStateStore(summariesStore);
        for (WindowSpec spec : specs) {
            windows.add(context.getStateStore(spec.store()));
        }
    }

    @Override
    public void process(Record<String, RunEvent> record) {
        String run = record.key();
        RunEvent event = record.value();
        if (run == null || event == null) {
            return;
        }
        long time = record.timestamp();
        ValueAndTimestamp<RunSummary> summary = summaries.get(run);
        summaries.put(run, next(summary, summary == null ? RunSummary.empty().with(event) : summary.value().with(event), time));

        streamTime = Math.max(streamTime, time);
        for (int i = 0; i < specs.size(); i++) {
            long size = specs.get(i).size().toMillis();
            long start = time - Math.floorMod(time, size);
            if (start + size <= streamTime - specs.get(i).grace().toMillis()) {
                continue; // the window has closed
            }
            TimestampedWindowStore<String, RunWindow> store = windows.get(i);
            ValueAndTimestamp<RunWindow> window = store.fetch(run, start);
            store.put(run, next(window, window == null ? RunWindow.empty().with(event) : window.value().with(event), time), start);
        }
    }

    private static <V> ValueAndTimestamp<V> next(ValueAndTimestamp<V> previous, V value, long time) {
        return ValueAndTimestamp.make(value, previous == null ? time : Math.max(time, previous.timestamp()));
    }
}
