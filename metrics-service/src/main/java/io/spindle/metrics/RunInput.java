package io.spindle.metrics;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.StepMetrics;

/**
 * One record of any of the three input topics, wrapped so they can be merged into one stream keyed by
 * run (exactly one field is set). Only lives on the {@code inputs-by-run} repartition topic.
 */
public record RunInput(StepMetrics step, CapacityEvent capacity, DrafterMetrics drafter) {

    static RunInput of(StepMetrics step) {
        return new RunInput(step, null, null);
    }

    static RunInput of(CapacityEvent capacity) {
        return new RunInput(null, capacity, null);
    }

    static RunInput of(DrafterMetrics drafter) {
        return new RunInput(null, null, drafter);
    }

    String run() {
        if (step != null) {
            return step.run();
        }
        return capacity != null ? capacity.run() : drafter.run();
    }

    /** Usable when it names its run and its source (worker or drafter); anything else cannot be attributed. */
    static boolean usable(RunInput input) {
        if (input.step != null) {
            return input.step.run() != null && input.step.worker() != null;
        }
        if (input.capacity != null) {
            return input.capacity.run() != null && input.capacity.worker() != null;
        }
        return input.drafter != null && input.drafter.run() != null && input.drafter.drafter() != null;
    }
}
