package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The drafter killed ({@code kill -9}) inside an idle window resumes from its checkpoint. The packaged
 * drafter-service (the small-LM drafter, so no target checkpoint is needed) trains in idle windows this
 * test opens and closes on {@code capacity.events}, on synthetic batches. Window 1 ends with a BUSY and a
 * checkpoint; window 2 trains more batches and the drafter is killed while it is still open. After the
 * restart the drafter must continue from the window-1 checkpoint (its step count and weights and AdamW
 * moments come back) and re-train the window-2 batches, because their offsets were not committed beyond
 * that checkpoint: no batch is skipped, and nothing is trained twice into the surviving model. The proof
 * of the last part: its final step count is exactly rows x batches, and its final loss equals, bit for
 * bit, that of an uninterrupted drafter trained on the same batches.
 */
class DrafterResumeIT {

    static final int ROWS = 4;
    static final int ROW_LENGTH = 33;
    static final int VOCAB = 64;
    static final int PER_WINDOW = 5;
    static final String WORKER = "trainer-0";
    static final String DATA_GROUP = "drafter-it-data";

    static LocalCluster cluster;

    @BeforeAll
    static void startKafka() {
        cluster = ClusterFixture.cluster("drafter-resume", List.of(Service.DRAFTER));
        cluster.startKafka(Map.of(Topics.TRAIN_BATCHES, 1), Duration.ofSeconds(180));
    }

    @AfterAll
    static void stopAll() {
        if (cluster != null) {
            cluster.stopAll();
        }
    }

    @Test
    void aDrafterKilledMidWindowResumesFromItsCheckpointAndSkipsNoBatch() throws Exception {
        String run = "drafter-it";
        try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster);
             KafkaConsumer<String, byte[]> announcements = ClusterFixture.consumer(cluster, "drafter-it-checkpoints")) {
            announcements.subscribe(List.of(Topics.DRAFTER_CHECKPOINTS));
            List<CheckpointAnnouncement> saved = new ArrayList<>();
            startDrafter("drafter-0", run, DATA_GROUP, cluster.layout().drafterCheckpoints().toString(), "spindle-drafter");

            // Window 1: five batches, then BUSY: a checkpoint at step 20, and their offsets committed.
            ClusterFixture.sendBatches(producer, run, 0, PER_WINDOW, ROWS, ROW_LENGTH, VOCAB);
            ClusterFixture.sendCapacity(producer, WORKER, run, true);
            awaitSteps(PER_WINDOW * ROWS);
            ClusterFixture.sendCapacity(producer, WORKER, run, false);
            long checkpointStep = awaitAnnouncement(announcements, saved, PER_WINDOW * ROWS);
            awaitCommitted(PER_WINDOW); // window 1's batches are committed once its checkpoint is saved

            // Window 2: five more batches trained, then kill -9 while the window is still open.
            ClusterFixture.sendCapacity(producer, WORKER, run, true);
            ClusterFixture.sendBatches(producer, run, PER_WINDOW, 2 * PER_WINDOW, ROWS, ROW_LENGTH, VOCAB);
            awaitSteps(2 * PER_WINDOW * ROWS);
            assertEquals(PER_WINDOW, committed(),
                    "batches trained after the newest checkpoint are not committed: a crash must not skip them");
            cluster.kill(Service.DRAFTER);
            System.out.printf("drafter fault: killed (SIGKILL) inside an open idle window at step %d; newest checkpoint: step %d, "
                    + "committed batches: %d%n", 2 * PER_WINDOW * ROWS, checkpointStep, PER_WINDOW);

            // Life 2: the window is reopened (BUSY first, in case a re-read IDLE already opened it) and five more come.
            startDrafter("drafter-0", run, DATA_GROUP, cluster.layout().drafterCheckpoints().toString(), "spindle-drafter");
            ClusterFixture.sendCapacity(producer, WORKER, run, false);
            ClusterFixture.sendCapacity(producer, WORKER, run, true);
            ClusterFixture.sendBatches(producer, run, 2 * PER_WINDOW, 3 * PER_WINDOW, ROWS, ROW_LENGTH, VOCAB);
            int allRows = 3 * PER_WINDOW * ROWS;
            awaitSteps(allRows);
            ClusterFixture.sendCapacity(producer, WORKER, run, false);
            awaitAnnouncement(announcements, saved, allRows);
            awaitCommitted(3 * PER_WINDOW); // every batch committed once trained and checkpointed
            JsonNode resumed = spot();
            cluster.stop(Service.DRAFTER);
            assertEquals(allRows, resumed.path("steps").asLong(),
                    "resumed at step " + checkpointStep + " and re-trained window 2: every row once in the surviving model");

            // The reference: a fresh drafter (own id, group, checkpoints) trained on the same 15 batches in one window.
            startDrafter("drafter-ref", "drafter-ref", "drafter-ref-data", cluster.layout().workDir().resolve("ref-checkpoints").toString(),
                    "drafter-ref-capacity");
            ClusterFixture.sendCapacity(producer, WORKER, run, true);
            awaitSteps(allRows);
            JsonNode reference = spot();
            ClusterFixture.sendCapacity(producer, WORKER, run, false);
            cluster.stop(Service.DRAFTER);

            float resumedLoss = resumed.path("loss").floatValue();
            float referenceLoss = reference.path("loss").floatValue();
            System.out.printf("drafter fault: checked resume from step %d, %d steps in all (= %d batches x %d rows), %d batches "
                            + "committed, loss at step %d %.6f resumed vs %.6f uninterrupted%n",
                    checkpointStep, resumed.path("steps").asLong(), 3 * PER_WINDOW, ROWS, 3 * PER_WINDOW, allRows,
                    resumedLoss, referenceLoss);
            assertEquals(referenceLoss, resumedLoss,
                    "weights, AdamW moments and step count came back from the checkpoint: the same loss, bit for bit");
        }
    }

    private static void startDrafter(String id, String run, String dataGroup, String checkpointDir, String capacityGroup) {
        cluster.startService(Service.DRAFTER, Map.ofEntries(
                Map.entry("spindle.drafter.id", id),
                Map.entry("spindle.drafter.run", run),
                Map.entry("spindle.drafter.spot.kind", "small-lm"),
                Map.entry("spindle.drafter.spot.serve", WORKER),
                Map.entry("spindle.drafter.spot.group-id", dataGroup),
                Map.entry("spindle.drafter.spot.checkpoint-dir", checkpointDir),
                Map.entry("spindle.drafter.spot.rows-per-step", "1"),
                // Replays would add steps on batches already trained; this test counts every row exactly.
                Map.entry("spindle.drafter.spot.replay-batches", "0"),
                Map.entry("spindle.drafter.spot.threads", "1"),
                Map.entry("spindle.drafter.spot.model.vocab-size", String.valueOf(VOCAB)),
                Map.entry("spindle.drafter.spot.model.context-length", String.valueOf(ROW_LENGTH - 1)),
                Map.entry("spindle.drafter.spot.model.d-model", "32"),
                Map.entry("spindle.drafter.spot.model.n-heads", "2"),
                Map.entry("spindle.drafter.spot.model.n-layers", "1"),
                Map.entry("mp.messaging.incoming.capacity-events.group.id", capacityGroup)), Duration.ofSeconds(120));
    }

    private static JsonNode spot() {
        return Http.json(cluster.layout().url(Service.DRAFTER) + "/api/spot").orElseThrow();
    }

    /** Waits until the drafter's model has taken {@code steps} steps (it stops at the end of the data). */
    private static void awaitSteps(long steps) {
        await("drafter at step " + steps).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.json(cluster.layout().url(Service.DRAFTER) + "/api/spot")
                        .map(view -> view.path("steps").asLong() >= steps).orElse(false));
    }

    /** Waits for the drafter's announcement of a checkpoint at {@code step}; returns that step. */
    private static long awaitAnnouncement(KafkaConsumer<String, byte[]> consumer, List<CheckpointAnnouncement> into, long step) {
        await("checkpoint at step " + step).atMost(Duration.ofSeconds(60)).until(() -> {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                into.add(Json.read(record.value(), CheckpointAnnouncement.class));
            }
            return into.stream().anyMatch(a -> a.step() == step);
        });
        return step;
    }

    private static void awaitCommitted(long batches) {
        await("drafter committed " + batches + " batches").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> committed() == batches);
    }

    private static long committed() {
        return ClusterFixture.committedOffsets(cluster, DATA_GROUP)
                .getOrDefault(new TopicPartition(Topics.TRAIN_BATCHES, 0), 0L);
    }
}
