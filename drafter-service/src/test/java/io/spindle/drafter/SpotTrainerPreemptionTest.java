package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.kafka.EmbeddedKafka;
import io.spindle.kafka.EmbeddedKafkaBroker;
import io.spindle.model.CheckpointStore;
import io.spindle.model.speculative.DraftLengthBandit;
import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import io.spindle.model.speculative.SpeculativeDecoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BUSY that arrives while a drafter step runs lets that step finish and starts no other; the batch it
 * cut is finished, row by row, in the next window, and committed only then. Real broker, real DJL drafter;
 * the BUSY is delivered from inside a chosen step, so the assertions are about steps, not wall time.
 */
@EmbeddedKafka(partitions = "train.batches=1")
class SpotTrainerPreemptionTest {

    private static final String WORKER = "w-0";
    private static final String GROUP = "preemption-test";
    private static final int ROWS = 4;
    private static final int ROW_LENGTH = 17;
    private static final int BATCHES = 3;

    @Test
    void busyMidStepStopsAfterThatStepAndTheCutBatchResumesAtItsNextRow(EmbeddedKafkaBroker kafka, @TempDir Path dir)
            throws Exception {
        String bootstrap = kafka.bootstrapServers();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (int seq = 0; seq < BATCHES; seq++) {
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(seq))));
            }
            producer.flush();

            SpotGate gate = new SpotGate(Set.of(WORKER));
            SpotStats stats = new SpotStats();
            // BUSY lands during the 2nd step (mid-batch 0) and during the last row of the last batch.
            RecordingDrafter drafter = new RecordingDrafter(gate, Set.of(2, BATCHES * ROWS), false);
            SpotTrainer trainer = trainer(gate, stats, drafter, consumer(bootstrap, GROUP), producer, dir);
            Thread thread = start(trainer);
            try {
                gate.onEvent(idle());
                await().atMost(Duration.ofSeconds(60)).until(() -> stats.view().windows() == 1);
                assertEquals(List.of(row(0, 0), row(0, 1)), drafter.trainedRows,
                        "the step the BUSY interrupted completes; no further step starts");
                assertEquals(2, stats.view().steps());
                assertNull(committed(bootstrap, GROUP), "batch 0 is half-trained: its offset must not be committed yet");
                assertTrue(stats.view().lastPreemptionMs() >= 0);

                gate.onEvent(idle());
                await().atMost(Duration.ofSeconds(60)).until(() -> stats.view().windows() == 2);
                List<Integer> everyRowOnce = IntStream.range(0, BATCHES * ROWS).map(i -> row(i / ROWS, i % ROWS)).boxed().toList();
                assertEquals(everyRowOnce, drafter.trainedRows, "rows in order, none repeated, none skipped");
                assertEquals(BATCHES, committed(bootstrap, GROUP).offset(), "every batch fully trained, so committed");
                assertEquals(1, drafter.warmUps);
                assertEquals(0, drafter.stepsAfterWarmUp, "the warm-up step ran on a twin: the drafter is untouched");
                assertEquals(BATCHES * ROWS, drafter.steps());
            } finally {
                trainer.stop();
                thread.join(30_000);
            }
        }
    }

    /**
     * A drafter that can give a step up (EAGLE) does so when the BUSY comes mid-step: that step trains
     * nothing, and its row is the first trained in the next window.
     */
    @Test
    void aStepGivenUpAtBusyLeavesItsRowForTheNextWindow(EmbeddedKafkaBroker kafka, @TempDir Path dir) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        String group = GROUP + "-gives-up";
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // The other test may have filled the topic already: this group starts at this test's batches.
            long first = producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(0)))).get().offset();
            for (int seq = 1; seq < BATCHES; seq++) {
                producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, "0", BatchCodec.encode(batch(seq))));
            }
            producer.flush();
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(Topics.TRAIN_BATCHES, 0),
                    new OffsetAndMetadata(first))).all().get();

            SpotGate gate = new SpotGate(Set.of(WORKER));
            SpotStats stats = new SpotStats();
            RecordingDrafter drafter = new RecordingDrafter(gate, Set.of(2), true);
            SpotTrainer trainer = trainer(gate, stats, drafter, consumer(bootstrap, group), producer, dir);
            Thread thread = start(trainer);
            try {
                gate.onEvent(idle());
                await().atMost(Duration.ofSeconds(60)).until(() -> stats.view().windows() == 1);
                assertEquals(List.of(row(0, 0)), drafter.trainedRows, "the step the BUSY cut trained nothing");
                assertEquals(1, stats.view().steps());

                gate.onEvent(idle());
                await().atMost(Duration.ofSeconds(60)).until(() -> drafter.trainedRows.size() == BATCHES * ROWS);
                gate.onEvent(busy());
                await().atMost(Duration.ofSeconds(60)).until(() -> stats.view().windows() == 2);
                List<Integer> everyRowOnce = IntStream.range(0, BATCHES * ROWS).map(i -> row(i / ROWS, i % ROWS)).boxed().toList();
                assertEquals(everyRowOnce, drafter.trainedRows, "the cut row first in window 2; none repeated, none skipped");
                assertEquals(first + BATCHES, committed(bootstrap, group).offset());
                assertEquals(BATCHES * ROWS, drafter.steps());
            } finally {
                trainer.stop();
                thread.join(30_000);
            }
        }
    }

    private static CapacityEvent busy() {
        return new CapacityEvent.Busy(Schema.V1, WORKER, "run-1", System.currentTimeMillis(), IdleReason.DATA_WAIT, 0);
    }

    private static CapacityEvent idle() {
        return new CapacityEvent.Idle(Schema.V1, WORKER, "run-1", System.currentTimeMillis(), IdleReason.DATA_WAIT, 0);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static OffsetAndMetadata committed(String bootstrap, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(Topics.TRAIN_BATCHES, 0));
        }
    }

    /** Every token of row {@code row} of batch {@code seq} is this id, so a slice tells which row it was. */
    private static int row(int seq, int row) {
        return 1 + seq * ROWS + row;
    }

    private static TokenBatch batch(int seq) {
        int[] tokens = new int[ROWS * ROW_LENGTH];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = row(seq, i / ROW_LENGTH);
        }
        return new TokenBatch("test", seq, ROWS, ROW_LENGTH, tokens, new int[ROWS][0], "pattern",
                new TokenBatch.Lineage(0, seq, seq));
    }

    /** The real small-LM drafter, recording which rows each step trained and sending BUSY during chosen steps. */
    private static final class RecordingDrafter implements DrafterModel {
        private final SmallLmDrafter real = new SmallLmDrafter(new GptConfig(64, 16, 16, 2, 1), OptimizerConfig.defaults(100), null);
        private final SpotGate gate;
        private final Set<Integer> busyDuringSteps;
        private final boolean givesUp;
        private int attempts;
        final List<Integer> trainedRows = new CopyOnWriteArrayList<>();
        volatile int warmUps;
        volatile long stepsAfterWarmUp = -1;

        /**
         * @param busyDuringSteps the attempted steps (1-based) inside which a BUSY arrives
         * @param givesUp         whether a step asks {@code keepGoing} after the BUSY and gives itself up
         */
        RecordingDrafter(SpotGate gate, Set<Integer> busyDuringSteps, boolean givesUp) {
            this.gate = gate;
            this.busyDuringSteps = busyDuringSteps;
            this.givesUp = givesUp;
        }

        @Override
        public Optional<Float> trainStep(int[] tokens, int rows, int rowLength, BooleanSupplier keepGoing) {
            assertEquals(1, rows);
            attempts++;
            if (busyDuringSteps.contains(attempts)) {
                gate.onEvent(busy());
            }
            if (givesUp && !keepGoing.getAsBoolean()) {
                return Optional.empty(); // as EAGLE does between the stretches of its step
            }
            trainedRows.add(tokens[0]);
            return real.trainStep(tokens, rows, rowLength, keepGoing);
        }

        @Override
        public void warmUp(int rows, int rowLength) {
            warmUps++;
            real.warmUp(rows, rowLength);
            stepsAfterWarmUp = real.steps();
        }

        @Override
        public long steps() {
            return real.steps();
        }

        @Override
        public int contextLength() {
            return real.contextLength();
        }

        @Override
        public int vocabSize() {
            return real.vocabSize();
        }

        @Override
        public SpeculativeDecoder.Result speculate(GptTrainer target, int[] prompt, int maxNewTokens, float temperature,
                                                   SpeculativeDecoder.DraftLengthPolicy policy, Random random) {
            return real.speculate(target, prompt, maxNewTokens, temperature, policy, random);
        }

        @Override
        public Path save(Path dir) {
            return real.save(dir);
        }

        @Override
        public Map<String, Object> config() {
            return real.config();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    /** One row per step, no replays, checkpoints in {@code dir}. */
    private static SpotTrainer trainer(SpotGate gate, SpotStats stats, RecordingDrafter drafter,
                                       KafkaConsumer<byte[], byte[]> batches, KafkaProducer<String, byte[]> producer, Path dir) {
        return new SpotTrainer("d-0", "run-1", 1, 0, gate, new ModelRoom(), batches, () -> drafter,
                new CheckpointStore(dir, 2), new DrafterEvents(producer), stats, noProbe());
    }

    private static Thread start(SpotTrainer trainer) {
        Thread thread = new Thread(trainer, "spot-trainer-test");
        thread.start();
        return thread;
    }

    /** A recording drafter cannot decode: no speed-up probes here (GenerateEagleTest runs them). */
    private static SpeedupProbe noProbe() {
        return new SpeedupProbe(0, SpeedupProbe.MIN_TOKENS, new DraftLengthBandit(new int[] {1}, 0, 1));
    }
}
