package io.spindle.metrics;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.StepMetrics;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the raw inputs into {@link RunEvent}s keyed by run; the one place that knows about duplicates and pairing.
 * Its state is per (run, worker) and (run, drafter), the granularity at which the input topics are keyed, so it
 * runs where the inputs are read, before the by-run repartition.
 * <ul>
 *   <li>a step already seen for (run, worker, step) is dropped, so re-delivery and a trainer replaying steps after
 *       a restore count once; a step that is merely late passes. Seen steps are kept as ranges per worker
 *       ({@link SeenSteps}); a range is forgotten once its newest step is {@code dedup-retention} behind stream
 *       time;</li>
 *   <li>a capacity event not newer than the worker's latest is a re-delivery and is dropped; IDLE opens an
 *       interval (a repeated IDLE keeps the first start), BUSY closes it (BUSY time - IDLE time; the BUSY's own
 *       {@code idleMs} when its IDLE was never seen);</li>
 *   <li>an interval open longer than {@code idle-timeout} is closed with the timeout's length: on event time when
 *       the worker's next capacity event arrives, on wall-clock time when none does; a BUSY that arrives after
 *       that adds the rest of the interval;</li>
 *   <li>a drafter report not newer than the drafter's latest is dropped; its running total of harvested time
 *       becomes the increment since the previous report (a total that went down means the drafter restarted).</li>
 * </ul>
 */
class RunEventNormalizer implements Processor<String, RunInput, String, RunEvent> {

    static final String WORKER_IDLE_STORE = "worker-idle";
    static final String DRAFTER_MARKS_STORE = "drafter-marks";
    /** Per (run, worker): the steps seen, as ranges. (Named anew: "seen-steps" held one key per step.) */
    static final String SEEN_STEPS_STORE = "seen-step-ranges";

    private final long dedupRetentionMs;
    private final long idleTimeoutMs;
    private ProcessorContext<String, RunEvent> context;
    private KeyValueStore<String, WorkerIdle> workers;
    private KeyValueStore<String, DrafterMark> drafters;
    /** run/worker -> its seen steps; ranges older than the dedup retention are removed by {@link #punctuate}. */
    private KeyValueStore<String, SeenSteps> seenSteps;

    RunEventNormalizer(Duration dedupRetention, Duration idleTimeout) {
        this.dedupRetentionMs = dedupRetention.toMillis();
        this.idleTimeoutMs = idleTimeout.toMillis();
    }

    /** How often wall-clock time closes timed-out intervals: often enough that they close near the timeout. */
    static Duration punctuationInterval(Duration idleTimeout) {
        Duration quarter = idleTimeout.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : quarter;
    }

    @Override
    public void init(ProcessorContext<String, RunEvent> context) {
        this.context = context;
        this.workers = context.getStateStore(WORKER_IDLE_STORE);
        this.drafters = context.getStateStore(DRAFTER_MARKS_STORE);
        this.seenSteps = context.getStateStore(SEEN_STEPS_STORE);
        context.schedule(punctuationInterval(Duration.ofMillis(idleTimeoutMs)), PunctuationType.WALL_CLOCK_TIME,
                this::punctuate);
    }

    @Override
    public void process(Record<String, RunInput> record) {
        RunInput input = record.value();
        if (input.step() != null) {
            if (firstSighting(input.step())) {
                emit(RunEvent.step(input.step()));
            }
        } else if (input.capacity() != null) {
            capacity(input.capacity());
        } else {
            drafter(input.drafter());
        }
    }

    /**
     * True the first time (run, worker, step) is seen. Seen steps are forgotten once the newest step of their range
     * is further behind stream time than the dedup retention; nothing is dropped for being old (one record with a
     * wild timestamp must not make every later step look stale).
     */
    private boolean firstSighting(StepMetrics step) {
        String key = step.run() + "/" + step.worker();
        SeenSteps stored = seenSteps.get(key);
        SeenSteps seen = stored == null ? SeenSteps.NONE : stored;
        if (seen.contains(step.step())) {
            return false;
        }
        seenSteps.put(key, seen.with(step.step(), step.time()));
        return true;
    }

    private void capacity(CapacityEvent event) {
        String key = WorkerIdle.key(event.run(), event.worker());
        WorkerIdle stored = workers.get(key);
        WorkerIdle idle = stored == null ? WorkerIdle.none(event.run(), event.worker()) : stored;
        if (event.time() <= idle.lastEventTime()) {
            return;
        }
        idle = closeIfExpired(idle, event.time());
        if (event instanceof CapacityEvent.Idle) {
            if (idle.openSince() == null) {
                emit(RunEvent.idleStart(event.run(), event.worker(), event.time(), event.reason()));
                idle = new WorkerIdle(idle.run(), idle.worker(), event.time(), event.time(), event.reason(), null, idle.totalMs());
            } else {
                idle = new WorkerIdle(idle.run(), idle.worker(), event.time(), idle.openSince(), idle.reason(),
                        idle.timedOutSince(), idle.totalMs());
            }
        } else {
            long ms;
            if (idle.openSince() != null) {
                ms = event.time() - idle.openSince();
            } else if (idle.timedOutSince() != null) {
                ms = Math.max(0, event.time() - idle.timedOutSince() - idleTimeoutMs);
            } else {
                ms = Math.max(0, ((CapacityEvent.Busy) event).idleMs());
            }
            long total = idle.totalMs() + ms;
            emit(RunEvent.idleEnd(event.run(), event.worker(), event.time(), event.reason(), ms, total, false));
            idle = new WorkerIdle(idle.run(), idle.worker(), event.time(), null, event.reason(), null, total);
        }
        workers.put(key, idle);
    }

    /** Closes the worker's interval when it has been open for longer than the timeout at {@code now}. */
    private WorkerIdle closeIfExpired(WorkerIdle idle, long now) {
        if (idle.openSince() == null || now - idle.openSince() <= idleTimeoutMs) {
            return idle;
        }
        long total = idle.totalMs() + idleTimeoutMs;
        emit(RunEvent.idleEnd(idle.run(), idle.worker(), idle.openSince() + idleTimeoutMs, idle.reason(), idleTimeoutMs,
                total, true));
        return new WorkerIdle(idle.run(), idle.worker(), idle.lastEventTime(), null, idle.reason(), idle.openSince(), total);
    }

    private void punctuate(long wallClockMs) {
        closeTimedOut(wallClockMs);
        forgetOldSteps();
    }

    private void forgetOldSteps() {
        long horizon = context.currentStreamTimeMs() - dedupRetentionMs;
        List<KeyValue<String, SeenSteps>> changed = new ArrayList<>();
        try (KeyValueIterator<String, SeenSteps> all = seenSteps.all()) {
            all.forEachRemaining(entry -> {
                SeenSteps kept = entry.value.forgetOlderThan(horizon);
                if (kept != entry.value) {
                    changed.add(KeyValue.pair(entry.key, kept));
                }
            });
        }
        for (KeyValue<String, SeenSteps> worker : changed) {
            if (worker.value.isEmpty()) {
                seenSteps.delete(worker.key);
            } else {
                seenSteps.put(worker.key, worker.value);
            }
        }
    }

    private void closeTimedOut(long wallClockMs) {
        List<WorkerIdle> closed = new ArrayList<>();
        try (KeyValueIterator<String, WorkerIdle> all = workers.all()) {
            all.forEachRemaining(entry -> {
                WorkerIdle next = closeIfExpired(entry.value, wallClockMs);
                if (next != entry.value) {
                    closed.add(next);
                }
            });
        }
        closed.forEach(idle -> workers.put(WorkerIdle.key(idle.run(), idle.worker()), idle));
    }

    private void drafter(DrafterMetrics report) {
        String key = report.run() + "/" + report.drafter();
        DrafterMark mark = drafters.get(key);
        if (mark != null && report.time() <= mark.time()) {
            return;
        }
        long total = Math.max(0, report.harvestedIdleMs());
        long increment = mark == null || total < mark.harvestedMs() ? total : total - mark.harvestedMs();
        emit(RunEvent.harvest(report, increment));
        drafters.put(key, new DrafterMark(report.time(), total));
    }

    private void emit(RunEvent event) {
        context.forward(new Record<>(event.run(), event, event.time()));
    }
}
