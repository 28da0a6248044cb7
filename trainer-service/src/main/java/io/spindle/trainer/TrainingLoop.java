package io.spindle.trainer;

import io.quarkus.logging.Log;
import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.BatchFormatException;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.model.CpuPeak;
import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The explicit training loop: wait for a batch, train one step on it, report, and every
 * {@code checkpoint.interval} steps save the whole state together with the offsets consumed.
 *
 * <p>Exact resume: on start the newest valid checkpoint is loaded and, as partitions are assigned, the
 * consumer seeks to the checkpoint's offsets. Offsets are also committed to the group after each step, but
 * only as a fallback for partitions a checkpoint does not cover (and for lag monitoring): after a crash they
 * run ahead of the checkpoint, and following them would skip the batches trained after it.
 */
final class TrainingLoop implements Runnable {

    private static final Duration POLL = Duration.ofMillis(20);

    private final TrainerConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final TrainerEvents events;
    private final TrainerStatus status;
    private final IdleTracker idle;
    private final Checkpointer checkpointer;
    /** Next offset to train, per partition: what a checkpoint records. */
    private final Map<TopicPartition, Long> consumed = new HashMap<>();
    private final Deque<TokenBatch> heldOut = new ArrayDeque<>();
    private final ProgressWindow progress = new ProgressWindow();
    private volatile boolean running = true;
    /** Set by any thread, served by the loop between steps: the model is only ever touched by the loop. */
    private final AtomicBoolean checkpointRequested = new AtomicBoolean();

    private long tokensSeen;
    private long waitStartedAt;
    private long lastCheckpointStep;
    private String tokenizerId = "unknown";

    TrainingLoop(TrainerConfig config, Consumer<byte[], byte[]> consumer, TrainerEvents events, TrainerStatus status) {
        this.config = config;
        this.consumer = consumer;
        this.events = events;
        this.status = status;
        this.idle = new IdleTracker(config.run(), config.worker(), config.idleThreshold().toMillis());
        requireAtLeast("spindle.trainer.checkpoint.interval", config.checkpoint().interval(), 0);
        requireAtLeast("spindle.trainer.checkpoint.keep", config.checkpoint().keep(), 1);
        requireAtLeast("spindle.trainer.eval.every", config.eval().every(), 0);
        requireAtLeast("spindle.trainer.eval.holdout-every", config.eval().holdoutEvery(), 0);
        requireAtLeast("spindle.trainer.eval.batches", config.eval().batches(), 1);
        this.checkpointer = config.checkpoint().interval() > 0
                ? new Checkpointer(config.checkpoint().dir(), config.checkpoint().keep(), config.run(), events)
                : null;
    }

    private static void requireAtLeast(String key, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be >= " + min + ", was " + value);
        }
    }

    void stop() {
        running = false;
    }

    /** Asks for a checkpoint at the next step boundary; false when checkpoints are off (interval 0). */
    boolean requestCheckpoint() {
        if (checkpointer == null) {
            return false;
        }
        checkpointRequested.set(true);
        return true;
    }

    private void checkpointIfRequested(GptTrainer trainer) {
        if (checkpointRequested.getAndSet(false) && trainer.step() > lastCheckpointStep) {
            checkpointer.save(trainer, consumed, tokenizerId);
            lastCheckpointStep = trainer.step();
        }
    }

    @Override
    public void run() {
        try (GptTrainer trainer = startingTrainer()) {
            int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
            double peakFlops = peakFlopsPerCore() * threads;
            GptConfig model = trainer.config();
            Log.infof("GPT %s: %,d parameters, %.1f MFLOP/token; peak %.0f GFLOP/s on %d threads; from step %d",
                    model, model.parameterCount(), model.flopsPerToken() / 1e6, peakFlops / 1e9, threads, trainer.step());
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES), new SeekToConsumed());
            status.state(TrainerStatus.State.WAITING);
            waitStartedAt = System.currentTimeMillis();
            while (running && !finished(trainer)) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    idle.waiting(System.currentTimeMillis(), IdleReason.DATA_WAIT).ifPresent(this::announceIdle);
                    checkpointIfRequested(trainer);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (!running || finished(trainer)) {
                        break;
                    }
                    handle(trainer, record, peakFlops);
                    checkpointIfRequested(trainer);
                }
            }
            if (checkpointer != null && trainer.step() > lastCheckpointStep) {
                checkpointer.save(trainer, consumed, tokenizerId);
            }
            status.state(TrainerStatus.State.DONE);
            events.capacity(new CapacityEvent.Idle(Schema.V1, config.worker(), config.run(),
                    System.currentTimeMillis(), IdleReason.DRAINING, 0));
            Log.infof("training stopped at step %d", trainer.step());
        } catch (RuntimeException | Error e) {
            Log.error("training failed", e);
            status.failed(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The newest valid checkpoint of this run, or a fresh model; its offsets become the consume positions. */
    private GptTrainer startingTrainer() {
        GptConfig configured = config.model().toGptConfig();
        OptimizerConfig optimizer = config.optimizer().toOptimizerConfig();
        Optional<Checkpointer.Restored> restored = checkpointer == null ? Optional.empty() : checkpointer.restore(optimizer);
        if (restored.isEmpty()) {
            return new GptTrainer(configured, optimizer);
        }
        GptTrainer trainer = restored.get().trainer();
        if (!trainer.config().equals(configured)) {
            trainer.close();
            throw new IllegalStateException("the checkpoint of run " + config.run() + " holds model " + trainer.config()
                    + " but spindle.trainer.model.* configures " + configured
                    + "; use another spindle.trainer.run or spindle.trainer.checkpoint.dir");
        }
        consumed.putAll(restored.get().offsets());
        lastCheckpointStep = restored.get().step();
        return trainer;
    }

    private double peakFlopsPerCore() {
        if (config.peakFlopsPerCore().isPresent()) {
            return config.peakFlopsPerCore().get();
        }
        Optional<CpuPeak> detected = CpuPeak.detect();
        detected.ifPresent(peak -> Log.infof("CPU peak %.1f GFLOP/s per core: %.2f GHz x %d FLOPs/cycle (%s)",
                peak.flopsPerCore() / 1e9, peak.ghz(), peak.flopsPerCycle(), peak.vectorIsa()));
        // Without /proc/cpuinfo MFU cannot be computed honestly; 0 makes it read 0 rather than a guess.
        return detected.map(CpuPeak::flopsPerCore).orElse(0.0);
    }

    /** Seeks newly assigned partitions to where this trainer's state says it is. */
    private final class SeekToConsumed implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                Long next = consumed.get(partition);
                if (next != null) {
                    consumer.seek(partition, next);
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to flush: positions live in `consumed` and in the checkpoints.
        }
    }

    private boolean finished(GptTrainer trainer) {
        return config.maxSteps() > 0 && trainer.step() >= config.maxSteps();
    }

    private void announceIdle(CapacityEvent.Idle event) {
        status.state(TrainerStatus.State.IDLE);
        events.capacity(event);
    }

    private void handle(GptTrainer trainer, ConsumerRecord<byte[], byte[]> record, double peakFlops) {
        long start = System.currentTimeMillis();
        long dataWaitMs = start - waitStartedAt;
        idle.resumed(start).ifPresent(events::capacity);
        status.state(TrainerStatus.State.TRAINING);

        TokenBatch batch = decodeAndCheck(record, trainer.config());
        if (batch != null && isHeldOut(batch)) {
            heldOut.addLast(batch);
            while (heldOut.size() > config.eval().batches()) {
                heldOut.removeFirst();
            }
        } else if (batch != null) {
            train(trainer, batch, dataWaitMs, peakFlops);
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        consumed.put(partition, record.offset() + 1);
        // Asynchronous: the group's offsets are a fallback (see the class comment), not worth a round trip a step.
        consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)), null);
        if (batch != null && !isHeldOut(batch) && checkpointer != null
                && trainer.step() % config.checkpoint().interval() == 0) {
            checkpointer.save(trainer, consumed, tokenizerId);
            lastCheckpointStep = trainer.step();
        }
        waitStartedAt = System.currentTimeMillis();
        status.state(TrainerStatus.State.WAITING);
    }

    private boolean isHeldOut(TokenBatch batch) {
        int every = config.eval().holdoutEvery();
        return config.eval().every() > 0 && every > 0 && batch.seq() % every == 0;
    }

    private void train(GptTrainer trainer, TokenBatch batch, long dataWaitMs, double peakFlops) {
        tokenizerId = batch.tokenizerId();
        long t0 = System.nanoTime();
        GptTrainer.StepResult result = trainer.trainStep(batch.tokens(), batch.rows(), batch.rowLength());
        double stepMs = (System.nanoTime() - t0) / 1e6;
        long tokens = (long) batch.rows() * (batch.rowLength() - 1);
        tokensSeen += tokens;
        Double evalLoss = evaluateIfDue(trainer, result.step());
        StepMetrics metrics = new StepMetrics(Schema.V1, config.run(), config.worker(), result.step(),
                System.currentTimeMillis(), result.loss(), evalLoss, result.lr(), result.gradNorm(), tokens, tokensSeen,
                stepMs, dataWaitMs, Throughput.tokensPerSecond(tokens, stepMs + dataWaitMs),
                Throughput.mfu(trainer.config().flopsPerToken(batch.rowLength() - 1), tokens, stepMs, peakFlops),
                result.lossScale(), batch.id(), PeakMemory.residentMb());
        events.stepMetrics(metrics);
        progress.add(tokens, stepMs, dataWaitMs);
        status.stepped(metrics, progress.dataWaitShare());
        if (result.skipped()) {
            Log.warnf("step %d skipped: non-finite gradients at loss scale %.0f", result.step(), result.lossScale());
        }
        if (metrics.step() % config.logEvery() == 0 || metrics.step() == 1) {
            Log.info(progress.line(metrics.step(), config.maxSteps(), metrics.loss(), metrics.lr(), metrics.gradNorm(),
                    metrics.mfu(), metrics.peakRssMb()));
        }
        if (evalLoss != null) {
            Log.infof("step %d eval loss %.4f on %d held-out batches", result.step(), evalLoss, heldOut.size());
        }
    }

    /** Mean loss over the held-out batches every {@code eval.every} steps; null when not due or none are held. */
    private Double evaluateIfDue(GptTrainer trainer, long step) {
        if (config.eval().every() <= 0 || step % config.eval().every() != 0 || heldOut.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (TokenBatch batch : heldOut) {
            sum += trainer.evalLoss(batch.tokens(), batch.rows(), batch.rowLength());
        }
        return sum / heldOut.size();
    }

    /** A batch this model cannot train on is logged and skipped, never trained on garbage. */
    private TokenBatch decodeAndCheck(ConsumerRecord<byte[], byte[]> record, GptConfig model) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        try {
            TokenBatch batch = BatchCodec.decode(record.value());
            if (batch.rowLength() - 1 > model.contextLength()) {
                return skip(where, "rows of " + batch.rowLength() + " tokens exceed context " + model.contextLength() + " + 1");
            }
            for (int token : batch.tokens()) {
                if (token < 0 || token >= model.vocabSize()) {
                    return skip(where, "token " + token + " is outside the vocabulary of " + model.vocabSize()
                            + " (tokenizer " + batch.tokenizerId() + ")");
                }
            }
            return batch;
        } catch (BatchFormatException e) {
            return skip(where, e.getMessage());
        }
    }

    private TokenBatch skip(String where, String why) {
        Log.errorf("skipping batch %s: %s", where, why);
        status.skipped();
        return null;
    }
}
