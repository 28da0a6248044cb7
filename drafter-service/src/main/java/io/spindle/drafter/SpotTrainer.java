package io.spindle.drafter;

import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.BatchFormatException;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.model.CheckpointStore;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The spot trainer's loop: sleep while every served worker is busy; while one is idle, train the drafter a
 * step at a time on batches from {@code train.batches}, checking the gate between steps so a BUSY stops it
 * within one step; then save, announce and report. The consumer reads one batch per poll and commits after
 * each step, so a preempted window leaves no batch half-used.
 */
final class SpotTrainer implements Runnable {

    private static final Logger LOG = Logger.getLogger(SpotTrainer.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final String drafterId;
    private final String run;
    private final SpotGate gate;
    private final Consumer<byte[], byte[]> batches;
    private final Supplier<DrafterModel> models;
    private final CheckpointStore checkpoints;
    private final DrafterEvents events;
    private final SpotStats stats;
    private volatile boolean running = true;

    private String tokenizerId = "";
    private float lastLoss = Float.NaN;

    SpotTrainer(String drafterId, String run, SpotGate gate, Consumer<byte[], byte[]> batches,
                Supplier<DrafterModel> models, CheckpointStore checkpoints, DrafterEvents events, SpotStats stats) {
        this.drafterId = drafterId;
        this.run = run;
        this.gate = gate;
        this.batches = batches;
        this.models = models;
        this.checkpoints = checkpoints;
        this.events = events;
        this.stats = stats;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try (DrafterModel drafter = models.get()) {
            batches.subscribe(List.of(Topics.TRAIN_BATCHES));
            while (running) {
                if (gate.awaitOpen(200)) {
                    trainWindow(drafter);
                } else {
                    stayInGroup();
                }
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

    private void trainWindow(DrafterModel drafter) {
        stats.state("TRAINING");
        batches.resume(batches.assignment());
        long trainedNanos = 0;
        long stepsBefore = drafter.steps();
        while (running && gate.isOpen()) {
            for (ConsumerRecord<byte[], byte[]> record : batches.poll(POLL)) {
                long start = System.nanoTime();
                TokenBatch batch = decode(record);
                if (batch != null) {
                    lastLoss = drafter.trainStep(batch);
                    tokenizerId = batch.tokenizerId();
                    stats.stepped(drafter.steps(), lastLoss);
                }
                batches.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1)));
                trainedNanos += System.nanoTime() - start;
            }
        }
        long stoppedAt = System.currentTimeMillis();
        long latency = running && gate.closedAt() > 0 ? Math.max(0, stoppedAt - gate.closedAt()) : -1;
        batches.pause(batches.assignment());
        stats.windowEnded(trainedNanos / 1_000_000, latency);
        if (drafter.steps() > stepsBefore) {
            saveAndAnnounce(drafter);
        }
        SpotStats.View view = stats.view();
        events.metrics(new DrafterMetrics(Schema.V1, drafterId, run, System.currentTimeMillis(), view.harvestedMs(),
                drafter.steps(), lastLoss, 0, 0, latency < 0 ? 0 : latency));
        LOG.infof("window done: %d drafter steps (total %d), loss %.3f, harvested %d ms, yielded %d ms after BUSY",
                drafter.steps() - stepsBefore, drafter.steps(), lastLoss, trainedNanos / 1_000_000, latency);
        stats.state("WAITING");
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
        CheckpointStore.Checkpoint written = checkpoints.write(drafter.steps(), Map.of(),
                dir -> weights[0] = drafter.save(dir).getFileName().toString());
        events.checkpoint(new CheckpointAnnouncement(Schema.V1, run, drafter.steps(), System.currentTimeMillis(),
                written.dir().toUri().toString(), written.sha256().get(weights[0]), written.bytes(),
                drafter.config(), tokenizerId));
    }
}
