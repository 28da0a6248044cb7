package io.spindle.drafter;

import io.spindle.contracts.batch.TokenBatch;

import java.nio.file.Path;

/**
 * What the spot trainer trains in idle windows. Each {@link #trainStep} is one bounded unit of work, so the
 * trainer can yield within one step of a BUSY.
 */
public interface DrafterModel extends AutoCloseable {

    /** Trains one optimizer step on the batch; returns its loss. */
    float trainStep(TokenBatch batch);

    long steps();

    /** Saves weights and optimizer progress into {@code dir}; returns the main weights file. */
    Path save(Path dir);

    /** Hyper-parameters, for checkpoint announcements. */
    java.util.Map<String, Object> config();

    @Override
    void close();
}
