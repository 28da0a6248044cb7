package io.spindle.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spindle.model.GptConfig;
import io.spindle.model.OptimizerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the trainer service, under {@code spindle.trainer}. */
@ConfigMapping(prefix = "spindle.trainer")
public interface TrainerConfig {

    /** Training run id: the key of this run's metrics and checkpoints. */
    @WithDefault("run-1")
    String run();

    /** This replica's id; on Kubernetes, the pod name. */
    @WithDefault("trainer-0")
    String worker();

    /** Consumer group on train.batches. Its committed offsets are secondary: checkpoints hold the truth. */
    @WithDefault("spindle-trainer")
    String groupId();

    /** Stop training after this many steps; 0 trains for as long as batches come. */
    @WithDefault("0")
    long maxSteps();

    /** Waiting for data longer than this announces IDLE on capacity.events. */
    @WithDefault("100ms")
    Duration idleThreshold();

    /** PyTorch intra-op threads; 0 lets PyTorch use every core. */
    @WithDefault("0")
    int threads();

    /**
     * Linux nice value (0..19) of the training thread and the PyTorch workers it starts. Above 0, the threads
     * that move data (Kafka clients, the broker, HTTP) run ahead of the math when the CPU is saturated, so a
     * BUSY or a heartbeat leaves at once instead of after a scheduler slice or two; 0 leaves it alone.
     */
    @WithDefault("3")
    int computeNice();

    /**
     * Peak fp32 FLOP/s of one core, for MFU. Unset: detected from /proc/cpuinfo ({@link CpuPeak}: clock x
     * 2 FLOPs per FMA x vector lanes x 2 FMA pipes; 134e9 on this project's 2.1 GHz AVX-512 machine).
     */
    Optional<Double> peakFlopsPerCore();

    /** Log a progress line every this many steps. */
    @WithDefault("10")
    int logEvery();

    /**
     * Bearer token that state-changing endpoints ({@code POST /api/checkpoint}) require. Unset: those
     * endpoints are disabled (403), so a trainer is never changeable by whoever reaches its port.
     */
    Optional<String> apiToken();

    Model model();

    Checkpoint checkpoint();

    Eval eval();

    /** Where and how often the whole training state is saved; see docs/trainer.md. */
    interface Checkpoint {
        /** Root folder; each run writes under {@code <dir>/<run>/step-NNNNNNNNN}. A PVC on Kubernetes. */
        @WithDefault("${user.home}/.spindle/checkpoints")
        Path dir();

        /** Save every this many steps (and once more when training stops cleanly); 0 disables checkpoints. */
        @WithDefault("100")
        int interval();

        /** Checkpoints kept per run; older ones are deleted after a new one is complete. */
        @WithDefault("3")
        int keep();
    }

    /** Held-out evaluation: every {@code holdoutEvery}-th batch is kept out of training. */
    interface Eval {
        /** Evaluate the held-out batches every this many steps; 0 disables evaluation and holds nothing out. */
        @WithDefault("0")
        int every();

        /**
         * Batch sequence numbers divisible by this are held out (never trained on); 0 holds nothing out.
         * Chosen by the batch's {@code seq}, so every replica and every restart agrees on the split.
         */
        @WithDefault("20")
        int holdoutEvery();

        /** How many held-out batches the evaluation keeps (the newest ones). */
        @WithDefault("4")
        int batches();
    }

    Optimizer optimizer();

    /** The GPT's shape; must agree with the tokenizer's vocabulary and the batches' row length. */
    interface Model {
        @WithDefault("8192")
        int vocabSize();

        /** T: the longest row a batch may carry is T+1 tokens. */
        @WithDefault("128")
        int contextLength();

        @WithDefault("256")
        int dModel();

        @WithDefault("4")
        int nHeads();

        @WithDefault("4")
        int nLayers();

        default GptConfig toGptConfig() {
            return new GptConfig(vocabSize(), contextLength(), dModel(), nHeads(), nLayers());
        }
    }

    /** AdamW with warmup and cosine decay; see {@link OptimizerConfig} for each field's meaning. */
    interface Optimizer {
        @WithDefault("3e-3")
        float learningRate();

        @WithDefault("3e-4")
        float minLearningRate();

        @WithDefault("20")
        long warmupSteps();

        /** Length of the cosine schedule. */
        @WithDefault("2000")
        long totalSteps();

        @WithDefault("0.1")
        float weightDecay();

        @WithDefault("1.0")
        float gradClip();

        @WithDefault("1337")
        long seed();

        default OptimizerConfig toOptimizerConfig() {
            OptimizerConfig defaults = OptimizerConfig.defaults(totalSteps());
            return new OptimizerConfig(learningRate(), minLearningRate(), warmupSteps(), totalSteps(), weightDecay(),
                    defaults.beta1(), defaults.beta2(), defaults.epsilon(), gradClip(), seed());
        }
    }
}
