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
import io.spindle.model.GptConfig;
import io.spindle.model.GptTrainer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The explicit training loop: wait for a batch, train one step on it, report, commit its offset. Offsets are
 * committed only after the step, so a crash re-trains at most the batch in flight (exact resume through
 * checkpointed offsets is the checkpoint issue's work).
 */
final class TrainingLoop implements Runnable {

    private static final Duration POLL = Duration.ofMillis(20);

    private final TrainerConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final TrainerEvents events;
    private final TrainerStatus status;
    private final IdleTracker idle;
    private volatile boolean running = true;

    private long tokensSeen;
    private long waitStartedAt;

    TrainingLoop(TrainerConfig config, Consumer<byte[], byte[]> consumer, TrainerEvents events, TrainerStatus status) {
        this.config = config;
        this.consumer = consumer;
        this.events = events;
        this.status = status;
        this.idle = new IdleTracker(config.run(), config.worker(), config.idleThreshold().toMillis());
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        GptConfig model = config.model().toGptConfig();
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        double peakFlops = config.peakFlopsPerCore() * threads;
        try (GptTrainer trainer = new GptTrainer(model, config.optimizer().toOptimizerConfig())) {
            Log.infof("GPT %s: %,d parameters, %.1f MFLOP/token; peak %.0f GFLOP/s on %d threads",
                    model, model.parameterCount(), model.flopsPerToken() / 1e6, peakFlops / 1e9, threads);
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
            status.state(TrainerStatus.State.WAITING);
            waitStartedAt = System.currentTimeMillis();
            while (running && !finished(trainer)) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    idle.waiting(System.currentTimeMillis(), IdleReason.DATA_WAIT).ifPresent(this::announceIdle);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (!running || finished(trainer)) {
                        break;
                    }
                    trainOn(trainer, record, peakFlops);
                }
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

    private boolean finished(GptTrainer trainer) {
        return config.maxSteps() > 0 && trainer.step() >= config.maxSteps();
    }

    private void announceIdle(CapacityEvent.Idle event) {
        status.state(TrainerStatus.State.IDLE);
        events.capacity(event);
    }

    private void trainOn(GptTrainer trainer, ConsumerRecord<byte[], byte[]> record, double peakFlops) {
        long start = System.currentTimeMillis();
        long dataWaitMs = start - waitStartedAt;
        idle.resumed(start).ifPresent(events::capacity);
        status.state(TrainerStatus.State.TRAINING);

        TokenBatch batch = decodeAndCheck(record, trainer.config());
        if (batch != null) {
            long t0 = System.nanoTime();
            GptTrainer.StepResult result = trainer.trainStep(batch.tokens(), batch.rows(), batch.rowLength());
            double stepMs = (System.nanoTime() - t0) / 1e6;
            long tokens = (long) batch.rows() * (batch.rowLength() - 1);
            tokensSeen += tokens;
            StepMetrics metrics = new StepMetrics(Schema.V1, config.run(), config.worker(), result.step(),
                    System.currentTimeMillis(), result.loss(), null, result.lr(), result.gradNorm(), tokens, tokensSeen,
                    stepMs, dataWaitMs, Throughput.tokensPerSecond(tokens, stepMs + dataWaitMs),
                    Throughput.mfu(trainer.config().flopsPerToken(), tokens, stepMs, peakFlops), 1.0, batch.id(),
                    PeakMemory.residentMb());
            events.stepMetrics(metrics);
            status.stepped(metrics);
            logProgress(metrics);
        }
        consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1)));
        waitStartedAt = System.currentTimeMillis();
        status.state(TrainerStatus.State.WAITING);
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

    private void logProgress(StepMetrics m) {
        if (m.step() % config.logEvery() != 0 && m.step() != 1) {
            return;
        }
        String total = config.maxSteps() > 0 ? "/" + config.maxSteps() : "";
        String eta = "";
        if (config.maxSteps() > 0) {
            double seconds = (config.maxSteps() - m.step()) * (m.stepMs() + m.dataWaitMs()) / 1000.0;
            eta = String.format(" eta %dm%02ds", (long) seconds / 60, (long) seconds % 60);
        }
        Log.infof("step %d%s loss %.4f lr %.2e grad %.2f %,.0f tok/s mfu %.1f%% wait %.0fms%s",
                m.step(), total, m.loss(), m.lr(), m.gradNorm(), m.tokensPerS(), m.mfu() * 100, m.dataWaitMs(), eta);
    }
}
