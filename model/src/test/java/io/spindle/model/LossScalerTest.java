package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LossScalerTest {

    @Test
    void startsAt65536AndDoublesAfter2000CleanSteps() {
        LossScaler scaler = LossScaler.dynamic();
        assertEquals(65536f, scaler.scale());
        for (int i = 0; i < 1999; i++) {
            assertTrue(scaler.update(true));
        }
        assertEquals(65536f, scaler.scale());
        assertTrue(scaler.update(true));
        assertEquals(131072f, scaler.scale());
        assertEquals(0, scaler.cleanSteps());
    }

    @Test
    void nonFiniteGradientsHalveTheScaleSkipTheStepAndRestartTheCount() {
        LossScaler scaler = LossScaler.dynamic(1024f, 3);
        scaler.update(true);
        scaler.update(true);
        assertFalse(scaler.update(false), "inf/NaN: skip");
        assertEquals(512f, scaler.scale());
        assertEquals(0, scaler.cleanSteps());
        scaler.update(true);
        scaler.update(true);
        assertEquals(512f, scaler.scale(), "two clean steps since the skip are not three");
        scaler.update(true);
        assertEquals(1024f, scaler.scale());
        assertFalse(scaler.update(false));
        assertFalse(scaler.update(false));
        assertEquals(256f, scaler.scale(), "each overflow halves again");
    }

    @Test
    void neverGrowsIntoInfinity() {
        LossScaler scaler = LossScaler.dynamic(Float.MAX_VALUE, 1);
        scaler.update(true);
        assertEquals(Float.MAX_VALUE, scaler.scale());
    }

    @Test
    void disabledIsOneAndNeverSkips() {
        LossScaler scaler = LossScaler.disabled();
        assertTrue(scaler.update(false));
        assertEquals(1f, scaler.scale());
        assertFalse(scaler.enabled());
    }

    @Test
    void stateRoundTrips() {
        LossScaler scaler = LossScaler.dynamic(2048f, 5);
        scaler.update(true);
        scaler.update(true);
        LossScaler copy = LossScaler.fromState(scaler.state());
        assertEquals(scaler.state(), copy.state());
        copy.update(true);
        copy.update(true);
        copy.update(true);
        assertEquals(4096f, copy.scale(), "the clean-step count survived the round trip");
        assertThrows(IllegalArgumentException.class, () -> LossScaler.fromState("1.0"));
        assertThrows(IllegalArgumentException.class, () -> LossScaler.dynamic(0f, 10));
    }
}
