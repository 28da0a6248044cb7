package io.spindle.drafter;

import io.spindle.model.CheckpointStore;
import io.spindle.model.EagleTrainer;
import io.spindle.model.GptTrainer;
import io.spindle.model.OptimizerConfig;
import io.spindle.model.speculative.SpeculativeDecoder;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The EAGLE-style drafter (model's {@link EagleTrainer}): one decoder layer over the target's features,
 * with the target's embedding and head. It cannot exist before a target does, so it is built (or resumed
 * from the newest drafter checkpoint trained for this target's shape) when the first target arrives, and
 * warmed up right then; until that moment it is not {@link #ready()} and the spot trainer leaves it alone.
 * Every call comes from inside the {@link ModelRoom}.
 */
final class EagleDrafterModel implements DrafterModel {

    private static final Logger LOG = Logger.getLogger(EagleDrafterModel.class);

    private final OptimizerConfig optimizer;
    private final Supplier<Optional<CheckpointStore.Checkpoint>> newestCheckpoint;
    private final int warmUpRows;
    private volatile EagleTrainer eagle;

    EagleDrafterModel(OptimizerConfig optimizer, Supplier<Optional<CheckpointStore.Checkpoint>> newestCheckpoint,
                      int warmUpRows) {
        this.optimizer = optimizer;
        this.newestCheckpoint = newestCheckpoint;
        this.warmUpRows = warmUpRows;
    }

    @Override
    public boolean ready() {
        return eagle != null;
    }

    /** The first target builds the drafter; a newer one of the same shape carries on training it. */
    @Override
    public void retarget(GptTrainer target) {
        if (eagle != null) {
            eagle.retarget(target); // throws for another shape: the room then keeps the old target
            return;
        }
        EagleTrainer built = resumeOrCreate(target);
        long start = System.nanoTime();
        int rowLength = target.config().contextLength() + 1;
        try (EagleTrainer twin = new EagleTrainer(target, optimizer)) {
            twin.trainStep(new int[warmUpRows * rowLength], warmUpRows, rowLength);
        }
        LOG.infof("EAGLE drafter for target %s ready at step %d; warmed up in %.0f ms", target.config(), built.step(),
                (System.nanoTime() - start) / 1e6);
        eagle = built;
    }

    private EagleTrainer resumeOrCreate(GptTrainer target) {
        Optional<CheckpointStore.Checkpoint> newest = newestCheckpoint.get();
        if (newest.isPresent()) {
            try {
                return EagleTrainer.load(newest.get().dir(), target, optimizer);
            } catch (RuntimeException e) {
                LOG.warnf("starting a fresh EAGLE drafter: cannot resume from %s: %s", newest.get().dir(), e.getMessage());
            }
        }
        return new EagleTrainer(target, optimizer);
    }

    /** The warm-up needs the target, so it happens in {@link #retarget}. */
    @Override
    public void warmUp(int rows, int rowLength) {
    }

    @Override
    public Optional<Float> trainStep(int[] tokens, int rows, int rowLength, BooleanSupplier keepGoing) {
        return require().trainStep(tokens, rows, rowLength, keepGoing).map(GptTrainer.StepResult::loss);
    }

    @Override
    public long steps() {
        return eagle == null ? 0 : eagle.step();
    }

    @Override
    public int contextLength() {
        return eagle == null ? 0 : eagle.target().config().contextLength();
    }

    @Override
    public int vocabSize() {
        return eagle == null ? 0 : eagle.target().config().vocabSize();
    }

    @Override
    public SpeculativeDecoder.Result speculate(GptTrainer target, int[] prompt, int maxNewTokens, float temperature,
                                               SpeculativeDecoder.DraftLengthPolicy policy, Random random) {
        try (GptTrainer.CachedModel verifier = target.cachedModel(); EagleTrainer.CachedDrafter drafts = require().drafter()) {
            return new SpeculativeDecoder(verifier, drafts).generate(prompt, maxNewTokens, temperature, policy, random);
        }
    }

    @Override
    public Path save(Path dir) {
        return require().save(dir);
    }

    @Override
    public Map<String, Object> config() {
        return require().config();
    }

    private EagleTrainer require() {
        EagleTrainer current = eagle;
        if (current == null) {
            throw new IllegalStateException("the EAGLE drafter has no target yet");
        }
        return current;
    }

    @Override
    public void close() {
        if (eagle != null) {
            eagle.close();
        }
    }
}
