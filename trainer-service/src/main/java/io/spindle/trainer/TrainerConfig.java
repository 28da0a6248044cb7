package io.spindle.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spindle.model.GptConfig;
import io.spindle.model.OptimizerConfig;

import java.time.Duration;

/** Settings of the trainer service, under {@code spindle.trainer}. */
@ConfigMapping(prefix = "spindle.trainer")
public interface TrainerConfig {

    /** Training run id: the key of this run's metrics and checkpoints. */
    @WithDefault("run-1")
    String run();

    /** This replica's id; on Kubernetes, the pod name. */
    @WithDefault("trainer-0")
    String worker();

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
     * Peak fp32 FLOP/s of one core, for MFU. The default is this project's measured machine (AMD Zen 5,
     * AVX-512: 2 FMA units x 16 lanes x 2 FLOPs x ~2.1 GHz); set it for yours.
     */
    @WithDefault("134e9")
    double peakFlopsPerCore();

    /** Log a progress line every this many steps. */
    @WithDefault("10")
    int logEvery();

    Model model();

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
