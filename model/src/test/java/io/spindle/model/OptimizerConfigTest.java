package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptimizerConfigTest {

    private final OptimizerConfig config =
            new OptimizerConfig(1e-3f, 1e-4f, 10, 110, 0.1f, 0.9f, 0.95f, 1e-8f, 1.0f, 1);

    @Test
    void warmsUpLinearlyToThePeak() {
        assertEquals(1e-4f, config.learningRate(0), 1e-9f);
        assertEquals(5e-4f, config.learningRate(4), 1e-9f);
        assertEquals(1e-3f, config.learningRate(9), 1e-9f);
        assertEquals(1e-3f, config.learningRate(10), 1e-9f);
    }

    @Test
    void decaysByCosineToTheFloor() {
        assertEquals(5.5e-4f, config.learningRate(60), 1e-8f); // halfway: (peak + floor) / 2
        assertEquals(1e-4f + 0.9e-3f * 0.5 * (1 + Math.cos(Math.PI * 0.25)), config.learningRate(35), 1e-8f);
        assertEquals(1e-4f, config.learningRate(110), 1e-9f);
        assertEquals(1e-4f, config.learningRate(10_000), 1e-9f);
    }

    @Test
    void noWarmupStartsAtThePeak() {
        OptimizerConfig flat = new OptimizerConfig(2e-3f, 2e-3f, 0, 5, 0f, 0.9f, 0.95f, 1e-8f, 0f, 1);
        assertEquals(2e-3f, flat.learningRate(0));
        assertEquals(2e-3f, flat.learningRate(7));
    }

    @Test
    void clipsToTheGlobalNorm() {
        assertEquals(1f, config.clipScale(0.5f));
        assertEquals(1f, config.clipScale(1.0f));
        assertEquals(0.25f, config.clipScale(4f), 1e-6f);
        assertEquals(1f, config.clipScale(Float.NaN)); // left for the loss scaler to catch
        OptimizerConfig off = new OptimizerConfig(1e-3f, 0f, 0, 5, 0f, 0.9f, 0.95f, 1e-8f, 0f, 1);
        assertEquals(1f, off.clipScale(1e6f));
        // the clipped norm is the target
        assertEquals(1.0f, 37.5f * config.clipScale(37.5f), 1e-5f);
    }

    @Test
    void validates() {
        assertThrows(IllegalArgumentException.class,
                () -> new OptimizerConfig(1e-3f, 1e-2f, 0, 5, 0f, 0.9f, 0.95f, 1e-8f, 1f, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new OptimizerConfig(1e-3f, 0f, 6, 5, 0f, 0.9f, 0.95f, 1e-8f, 1f, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new OptimizerConfig(1e-3f, 0f, 0, 5, 0f, 1f, 0.95f, 1e-8f, 1f, 1));
        assertEquals(5, OptimizerConfig.defaults(50).warmupSteps());
        assertEquals(100, OptimizerConfig.defaults(100_000).warmupSteps());
    }
}
