package io.spindle.drafter;

import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.BatchFormatException;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.model.CheckpointStore;
import io.spindle.model.ThreadPriority;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The spot trainer's loop: sleep while every served worker is busy; while one is idle, train the drafter a
 * step at a time on batches from {@code train.batches}, checking the gate between steps so a BUSY stops it
 * within one step; then save, announce and report.
 *
 * <p>A step trains a slice of {@code rowsPerStep} rows of the current batch, so a step stays short (tens of
 * ms) whatever the batch size. A batch's offset becomes committable once all its rows were trained, and is
 * committed only after the window's checkpoint is saved, so a crash (even {@code kill -9} mid-window) never
 * leaves an offset committed for rows the newest checkpoint does not hold. A batch cut by a BUSY stays in
 * memory with its row cursor and is finished in the next window. After a restart the drafter resumes from
 * its newest checkpoint and re-trains every batch since that checkpoint's commit, a half-trained one from
 * its first row: it may see rows twice, never skips one (its checkpoints do not record the cursor; for a
 * drafter that is the cheaper, harmless choice).
 *
 * <p>The checkpoint is written on a thread of the lowest CPU priority ({@link ThreadPriority}): the trainer
 * that just turned BUSY loses no CPU to it (written at normal priority, it cost the trainer's next step about
 * 40%). The window's offsets are committed and its report published once the write is done; the next window
 * waits for it, so training never changes the drafter under the writer.
 *
 * <p>When the drafter has caught up with the stream while the window is still open, it replays the last
 * {@code replayBatches} batches it trained (kept in memory) instead of leaving the idle time unused.
 */
final class SpotTrainer implements Runnable {

    private static final Logger LOG = Logger.getLogger(SpotTrainer.class);
    private static final Duration POLL = Duration.ofMillis(10); // bounds how late a window notices a BUSY while it waits for data

    private final String drafterId;
    private final String run;
    private final int rowsPerStep;
    private final SpotGate gate;
    private final ModelRoom room;
    private final Consumer<byte[], byte[]> batches;
    private final Supplier<DrafterModel> models;
    private final CheckpointStore checkpoints;
    private final DrafterEvents events;
    private final SpotStats stats;
    private final SpeedupProbe probe;
    private volatile boolean running = true;

    /** The batch being trained, and the next row of it to train; null when the next batch must be polled. */
    private InFlight current;
    private String tokenizerId = "";
    /** Offsets of fully trained batches, committed once the checkpoint that holds them is saved. */
    private final Map<TopicPartition, OffsetAndMetadata> trainedOffsets = new HashMap<>();
    private float lastLoss = Float.NaN;
    /** The start of the last row trained: the next speed-up probe's prompt. */
    private int[] probePrompt;

    /** Writes checkpoints at nice 19, so a save after a BUSY only takes CPU time the trainer leaves. */
    private final ExecutorService saver = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(() -> {
            ThreadPriority.lowerCurrentThread(19);
            task.run();
        }, "drafter-saver");
        thread.setDaemon(true);
        return thread;
    });
    /** The window that ended and whose checkpoint is being written; null when none is. */
    private ClosingWindow closing;

    /** What a window left to do once its checkpoint is written: commit, count, report. */
    private record ClosingWindow(CompletableFuture<Void> saved, Map<TopicPartition, OffsetAndMetadata> offsets,
                                 long steps, long trainedMs, long latencyMs, long heardAfterMs, long closedNanos) {
    }

    /** Recently trained batches, replayed while the window lasts and no fresh batch is there (newest last). */
    private final java.util.ArrayDeque<TokenBatch> replay = new java.util.ArrayDeque<>();
    private final int replayBatches;

    /** @param partition null for a replayed batch: nothing to commit when it is done */
    private record InFlight(TopicPartition partition, long offset, TokenBatch batch, int nextRow) {
        InFlight advance(int rows) {
            return new InFlight(partition, offset, batch, nextRow + rows);
        }

        boolean done() {
            return nextRow >= batch.rows();
        }
    }

    SpotTrainer(String drafterId, String run, int rowsPerStep, int replayBatches, SpotGate gate, ModelRoom room, Consumer<byte[], byte[]> batches,
                Supplier<DrafterModel> models, CheckpointStore checkpoints, DrafterEvents events, SpotStats stats,
                SpeedupProbe probe) {
        if (rowsPerStep < 1) {
            throw new IllegalArgumentException("rowsPerStep must be >= 1, was " + rowsPerStep);
        }
        this.drafterId = drafterId;
        this.run = run;
        this.rowsPerStep = rowsPerStep;
        this.replayBatches = replayBatches;
        this.gate = gate;
        this.room = room;
        this.batches = batches;
        this.models = models;
        this.checkpoints = checkpoints;
        this.events = events;
        this.stats = stats;
        this.probe = probe;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        stats.state("STARTING");
        try (DrafterModel drafter = models.get()) {
            long warmUpStart = System.nanoTime();
            if (drafter.ready()) {
                drafter.warmUp(rowsPerStep, drafter.contextLength() + 1);
                LOG.infof("drafter warmed up in %.0f ms (one step of %d rows, outside any window)",
                        (System.nanoTime() - warmUpStart) / 1e6, rowsPerStep);
            } else {
                LOG.info("the drafter is built, and warmed up, when the first target checkpoint arrives");
            }
            room.installDrafter(drafter);
            try {
                stats.state("WAITING");
                batches.subscribe(List.of(Topics.TRAIN_BATCHES), new DropRevokedBatch());
                while (running) {
                    finishClosingWindow(drafter, false);
                    if (gate.awaitOpen(200)) {
                        finishClosingWindow(drafter, true);
                        trainWindow(drafter);
                    } else {
                        stayInGroup();
                    }
                }
                finishClosingWindow(drafter, true);
            } finally {
                if (closing != null) {
                    closing.saved().handle((done, error) -> null).join(); // never close the drafter under the writer
                }
                saver.shutdown();
                room.removeDrafter(drafter);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("spot trainer failed", e);
            stats.state("FAILED");
            throw e;
        } finally {
            batches.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Polls with every partition paused: no data, but the group keeps the assignment. A rebalance inside
     * the poll can hand over partitions that are not paused yet; whatever they return is rewound.
     */
    private void stayInGroup() {
        batches.pause(batches.assignment());
        for (ConsumerRecord<byte[], byte[]> record : batches.poll(Duration.ZERO)) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            batches.seek(partition, record.offset()); // max.poll.records is 1: this is the first record
            batches.pause(List.of(partition));
        }
    }

    private void trainWindow(DrafterModel drafter) throws InterruptedException {
        stats.state("TRAINING");
        batches.resume(batches.assignment());
        long trainedNanos = 0;
        long stepsBefore = drafter.steps();
        if (current != null && current.partition() == null) {
            current = null; // a replay cut by the last BUSY: fresh batches may have come since
        }
        while (running && gate.isOpen()) {
            if (!drafter.ready()) {
                Thread.sleep(10); // no target checkpoint yet to train against; keep watching the gate
                continue;
            }
            if (current == null && !fetchNext() && !replayOne()) {
                continue;
            }
            long start = System.nanoTime();
            // The room may be taken by a generation; waiting briefly keeps the BUSY check between attempts. A
            // step given up at a BUSY trained nothing, so its time is not counted as harvested.
            if (room.tryUse(Duration.ofMillis(10), (target, model) -> trainSlice(drafter)).orElse(false)) {
                trainedNanos += System.nanoTime() - start;
            }
            if (probe.due(drafter.steps()) && probePrompt != null && gate.isOpen()) {
                trainedNanos += probe(drafter); // idle compute spent on the drafter, like a step
            }
        }
        long stoppedAt = System.currentTimeMillis();
        long latency = running && gate.closedAt() > 0 ? Math.max(0, stoppedAt - gate.closedAt()) : -1;
        batches.pause(batches.assignment());
        CompletableFuture<Void> saved = drafter.steps() > stepsBefore
                ? CompletableFuture.runAsync(() -> saveAndAnnounce(drafter), saver)
                : CompletableFuture.completedFuture(null);
        closing = new ClosingWindow(saved, new HashMap<>(trainedOffsets), drafter.steps() - stepsBefore,
                trainedNanos / 1_000_000, latency, latency < 0 ? -1 : gate.heardClosedAt() - gate.closedAt(), System.nanoTime());
        trainedOffsets.clear();
        stats.state("SAVING");
    }

    /**
     * Once the last window's checkpoint is written: commits the offsets it holds, then counts and reports the
     * window. With {@code wait}, waits for the write first (the next window must not change the drafter under it).
     */
    private void finishClosingWindow(DrafterModel drafter, boolean wait) {
        if (closing == null || !wait && !closing.saved().isDone()) {
            return;
        }
        try {
            closing.saved().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        long savedMs = (System.nanoTime() - closing.closedNanos()) / 1_000_000;
        if (!closing.offsets().isEmpty()) {
            batches.commitSync(closing.offsets());
        }
        // Counted once saved and committed, so whoever sees the window closed sees its commit too.
        long latency = closing.latencyMs();
        stats.windowEnded(closing.trainedMs(), latency);
        SpotStats.View view = stats.view();
        events.metrics(new DrafterMetrics(Schema.V1, drafterId, run, System.currentTimeMillis(), view.harvestedMs(),
                drafter.steps(), lastLoss, orZero(view.acceptLength()), orZero(view.speedup()), latency < 0 ? 0 : latency));
        LOG.infof("window done: %d drafter steps (total %d), loss %.3f, harvested %d ms, yielded %d ms after BUSY "
                        + "(heard it after %d ms); saved and committed %d ms later", closing.steps(), drafter.steps(),
                lastLoss, closing.trainedMs(), latency, closing.heardAfterMs(), savedMs);
        closing = null;
        stats.state("WAITING");
    }

    /** Measures the drafter's speed-up now, unless the window closes first; returns the nanoseconds it took. */
    private long probe(DrafterModel drafter) throws InterruptedException {
        long start = System.nanoTime();
        room.tryUse(Duration.ofMillis(10), (target, model) -> probe.measure(target, drafter, probePrompt, gate::isOpen))
                .flatMap(measurement -> measurement)
                .ifPresent(m -> {
                    stats.measured(m.acceptLength(), m.speedup());
                    LOG.infof("drafter step %d: accept length %.2f, speed-up %.2fx (%.0f vs %.0f tokens/s over %d greedy "
                                    + "tokens, identical: %s)", drafter.steps(), m.acceptLength(), m.speedup(),
                            m.speculativeTokensPerSecond(), m.targetTokensPerSecond(), m.tokens(), m.greedyIdentical());
                });
        return System.nanoTime() - start;
    }

    /** Not measured yet: 0 on {@code drafter.metrics}, whose fields are plain numbers. */
    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }

    /** Polls one batch into {@link #current}; an unreadable one is marked to be committed past. Returns whether one came. */
    private boolean fetchNext() {
        // With batches to replay, waiting for fresh data would only waste the window.
        for (ConsumerRecord<byte[], byte[]> record : batches.poll(replay.isEmpty() ? POLL : Duration.ZERO)) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            TokenBatch batch = decode(record);
            if (batch == null) {
                markTrained(partition, record.offset());
                return false;
            }
            current = new InFlight(partition, record.offset(), batch, 0);
            return true;
        }
        return false;
    }

    /**
     * The drafter has caught up with {@code train.batches} but the window is still open: rather than leave
     * the idle time unused, it takes another pass over a recent batch (oldest first, then to the back).
     */
    private boolean replayOne() {
        TokenBatch batch = replay.pollFirst();
        if (batch == null) {
            return false;
        }
        replay.addLast(batch);
        current = new InFlight(null, -1, batch, 0);
        return true;
    }

    /**
     * One drafter step on the next rows of the current batch; marks the batch for commit once its last row is
     * trained. False when the drafter gave the step up at a BUSY: the rows stay next.
     */
    private boolean trainSlice(DrafterModel drafter) {
        TokenBatch batch = current.batch();
        int rows = Math.min(rowsPerStep, batch.rows() - current.nextRow());
        int from = current.nextRow() * batch.rowLength();
        int[] slice = java.util.Arrays.copyOfRange(batch.tokens(), from, from + rows * batch.rowLength());
        try {
            Optional<Float> loss = drafter.trainStep(slice, rows, batch.rowLength(), gate::isOpen);
            if (loss.isEmpty()) {
                return false;
            }
            lastLoss = loss.get();
        } catch (IllegalArgumentException e) {
            // A batch this drafter cannot take (longer rows, ids outside its vocabulary): skip it, keep going.
            LOG.errorf("skipping batch %s@%d: %s", current.partition(), current.offset(), e.getMessage());
            if (current.partition() != null) {
                markTrained(current.partition(), current.offset());
            }
            replay.remove(batch);
            current = null;
            return true;
        }
        if (!Float.isFinite(lastLoss)) {
            LOG.warnf("drafter step %d gave loss %s on rows %d-%d of batch %s@%d", drafter.steps(), lastLoss,
                    current.nextRow(), current.nextRow() + rows - 1, current.partition(), current.offset());
        }
        tokenizerId = batch.tokenizerId();
        probePrompt = SpeedupProbe.prompt(slice, batch.rowLength());
        stats.stepped(drafter.steps(), lastLoss);
        current = current.advance(rows);
        if (current.done()) {
            if (current.partition() != null) {
                markTrained(current.partition(), current.offset());
                remember(batch);
            }
            current = null;
        }
        return true;
    }

    private void remember(TokenBatch batch) {
        if (replayBatches == 0) {
            return;
        }
        if (replay.size() == replayBatches) {
            replay.pollFirst();
        }
        replay.addLast(batch);
    }

    private void markTrained(TopicPartition partition, long offset) {
        trainedOffsets.put(partition, new OffsetAndMetadata(offset + 1));
    }

    /** A revoked partition's uncommitted batch now belongs to whoever gets the partition: let it go. */
    private final class DropRevokedBatch implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // A replayed batch (no partition) is ours whatever happens to the assignment. (The partition set
            // may be sorted, and a sorted set cannot be asked about null.)
            if (current != null && current.partition() != null && partitions.contains(current.partition())) {
                current = null;
            }
            // Not checkpointed yet: the partition's next owner trains those batches again (a repeat, not a skip).
            trainedOffsets.keySet().removeAll(partitions);
            if (closing != null) {
                closing.offsets().keySet().removeAll(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    private TokenBatch decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return BatchCodec.decode(record.value());
        } catch (BatchFormatException e) {
            LOG.errorf("skipping batch %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    private void saveAndAnnounce(DrafterModel drafter) {
        String[] weights = new String[1];
        CheckpointStore.Checkpoint written = room.use((target, model) -> checkpoints.write(drafter.steps(), Map.of(),
                dir -> weights[0] = drafter.save(dir).getFileName().toString()));
        events.checkpoint(new CheckpointAnnouncement(Schema.V1, run, drafter.steps(), System.currentTimeMillis(),
                written.dir().toUri().toString(), written.sha256().get(weights[0]), written.bytes(),
                drafter.config(), tokenizerId));
    }
}
