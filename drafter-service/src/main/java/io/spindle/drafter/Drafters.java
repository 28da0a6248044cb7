package io.spindle.drafter;

import io.spindle.model.CheckpointStore;

import java.util.function.Supplier;

/**
 * The one place that knows which kinds of drafter exist ({@code spindle.drafter.spot.kind}) and how each is
 * built or resumed from the newest valid drafter checkpoint. Everything else sees a {@link DrafterModel}.
 */
final class Drafters {

    private Drafters() {
    }

    static Supplier<DrafterModel> factory(DrafterConfig.Spot spot, CheckpointStore checkpoints) {
        return switch (spot.kind()) {
            case EAGLE -> () -> new EagleDrafterModel(spot.optimizer().toOptimizerConfig(), checkpoints::newestValid,
                    spot.rowsPerStep());
            case SMALL_LM -> () -> new SmallLmDrafter(spot.model().toGptConfig(), spot.optimizer().toOptimizerConfig(),
                    checkpoints.newestValid().map(CheckpointStore.Checkpoint::dir).orElse(null));
        };
    }
}
