package io.spindle.drafter;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.spindle.model.GptConfig;
import io.spindle.model.OptimizerConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Settings of the drafter service ({@code spindle.drafter.*}). */
@ConfigMapping(prefix = "spindle.drafter")
public interface DrafterConfig {

    /** This drafter's id: the key of its metrics. */
    @WithDefault("drafter-0")
    String id();

    /** The target run the drafter learns to imitate: the key of its checkpoints. */
    @WithDefault("run-1")
    String run();

    IdleWindowsConfig idleWindows();

    /**
     * The {@code tokenizer.json} that {@code POST /generate} encodes prompts and decodes text with: the file
     * the tokenizer service uses (a byte-level BPE file). Without it the endpoint answers 503.
     */
    Optional<Path> tokenizerPath();

    Generate generate();

    /** {@code POST /generate}: the draft lengths its bandit chooses from. */
    interface Generate {
        /** The bandit's arms: draft lengths γ it may choose per round. */
        @WithDefault("1,2,3,4,6,8")
        List<Integer> draftLengths();

        /** How often the bandit explores a random arm instead of the best one. */
        @WithDefault("0.1")
        double epsilon();
    }

    Spot spot();

    interface IdleWindowsConfig {
        /** Closed windows kept per worker; older ones are dropped but still count in the worker's total. */
        @WithDefault("1000")
        int history();
    }

    /** The spot trainer: trains the drafter only while a served worker is idle. */
    interface Spot {

        /** Off: only idle windows are tracked. */
        @WithDefault("true")
        boolean enabled();

        /** Workers whose idle time this drafter may use: their ids, or {@code *} for any (a sidecar names its own). */
        @WithDefault("*")
        Set<String> serve();

        /**
         * Which drafter it trains: {@code eagle} (one layer over the target's features; built when the first
         * target checkpoint arrives) or {@code small-lm} (the baseline small GPT, {@code spot.model.*}).
         */
        @WithDefault("eagle")
        DrafterKind kind();

        /** Consumer group on train.batches: the drafter reads the same stream as the target, at its own pace. */
        @WithDefault("spindle-drafter-data")
        String groupId();

        /**
         * Rows of a batch trained per drafter step. A BUSY is honoured between steps, so this bounds the
         * preemption latency: 1 row of the default drafter is a step of tens of ms on 2 cores.
         */
        @WithDefault("1")
        int rowsPerStep();

        /**
         * Recent batches kept in memory and trained again while a window is open and no fresh batch has
         * come (the drafter reads faster than the target trains); 0 leaves such idle time unused.
         */
        @WithDefault("32")
        int replayBatches();

        /**
         * PyTorch intra-op threads; 0 = every core. A one-row step is too small to gain from a second thread,
         * and on a shared machine OpenMP's barriers made it 4-5x slower (hence a longer preemption).
         */
        @WithDefault("1")
        int threads();

        /**
         * Linux nice value (0..19) of the spot trainer's thread and the PyTorch workers it starts. 0 by default:
         * a drafter stretch cut by a BUSY then ends at full speed, and the sooner it ends the sooner the trainer
         * has every core (the trainer's own {@code compute-nice} already puts the Kafka threads ahead of both).
         * Higher gives the trainer more of the CPU during that stretch and makes the stop slower (measured at
         * 3: a stop's tail grew from at most 31 to 82 ms). Checkpoints are written at nice 19 whatever this is.
         */
        @WithDefault("0")
        int computeNice();

        /**
         * Drafter steps between two speed-up probes: in an idle window, a short greedy decode of a training
         * prompt, target-only and speculative, whose accept length and speed-up go to drafter.metrics and
         * /api/spot. 0 = never.
         */
        @WithDefault("200")
        int probeEverySteps();

        /** Tokens each speed-up probe generates, each way. */
        @WithDefault("32")
        int probeTokens();

        /** Where drafter checkpoints are written, one folder per save. */
        @WithDefault("${user.home}/.spindle/drafter-checkpoints")
        Path checkpointDir();

        /** Checkpoints kept. */
        @WithDefault("3")
        int keepCheckpoints();

        Model model();

        Optimizer optimizer();
    }

    /** The small-LM drafter ({@code spot.kind=small-lm}): a small GPT over the target's vocabulary. */
    interface Model {
        @WithDefault("8192")
        int vocabSize();

        @WithDefault("128")
        int contextLength();

        @WithDefault("128")
        int dModel();

        @WithDefault("2")
        int nHeads();

        @WithDefault("1")
        int nLayers();

        default GptConfig toGptConfig() {
            return new GptConfig(vocabSize(), contextLength(), dModel(), nHeads(), nLayers());
        }
    }

    interface Optimizer {
        @WithDefault("3e-3")
        float learningRate();

        @WithDefault("3e-4")
        float minLearningRate();

        @WithDefault("10")
        long warmupSteps();

        @WithDefault("5000")
        long totalSteps();

        @WithDefault("7")
        long seed();

        default OptimizerConfig toOptimizerConfig() {
            OptimizerConfig d = OptimizerConfig.defaults(totalSteps());
            return new OptimizerConfig(learningRate(), minLearningRate(), warmupSteps(), totalSteps(), d.weightDecay(),
                    d.beta1(), d.beta2(), d.epsilon(), d.gradClip(), seed());
        }
    }
}
