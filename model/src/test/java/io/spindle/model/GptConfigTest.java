package io.spindle.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GptConfigTest {

    @Test
    void rejectsWidthNotDivisibleByHeads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GptConfig(100, 16, 30, 4, 2));
        assertTrue(e.getMessage().contains("dModel (30) must be divisible by nHeads (4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GptConfig(0, 16, 32, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> new GptConfig(100, 16, 32, 4, 2, 0));
    }

    @Test
    void countsParametersOfTheBenchmarkModel() {
        GptConfig config = new GptConfig(8192, 128, 256, 4, 4);
        long perLayer = 12L * 256 * 256 + 13L * 256;
        assertEquals(8192L * 256 + 128L * 256 + 4 * perLayer + 2 * 256, config.parameterCount());
    }

    @Test
    void flopsFollowPalm() {
        GptConfig config = new GptConfig(8192, 128, 256, 4, 4);
        double expected = 6.0 * config.parameterCount() + 12.0 * 4 * 128 * 256;
        assertEquals(expected, config.flopsPerToken());
        assertEquals(6.0 * config.parameterCount() + 12.0 * 4 * 64 * 256, config.flopsPerToken(64));
    }

    @Test
    void mapRoundTrip() {
        GptConfig config = new GptConfig(300, 24, 48, 6, 3, 2);
        assertEquals(config, GptConfig.fromMap(config.toMap()));
        assertEquals(config, GptConfig.fromMap(Map.of("vocabSize", "300", "contextLength", "24",
                "dModel", "48", "nHeads", "6", "nLayers", "3", "mlpRatio", 2L)));
        assertEquals("[vocabSize, contextLength, dModel, nHeads, nLayers, mlpRatio]",
                config.toMap().keySet().toString());
    }
}
