package io.spindle.metrics;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeenStepsTest {

    @Test
    void stepsInOrderStayOneRange() {
        SeenSteps seen = SeenSteps.NONE;
        for (long step = 1; step <= 10_000; step++) {
            assertFalse(seen.contains(step));
            seen = seen.with(step, 1_000 * step);
        }
        assertEquals(List.of(new SeenSteps.Range(1, 10_000, 10_000_000)), seen.ranges());
        assertTrue(seen.contains(1) && seen.contains(5_000) && seen.contains(10_000));
        assertFalse(seen.contains(0) || seen.contains(10_001));
    }

    @Test
    void anyOrderHoldsExactlyTheStepsAddedInTheFewestRanges() {
        Random random = new Random(7);
        List<Long> steps = new ArrayList<>();
        for (long step = 0; step < 2_000; step++) {
            if (random.nextInt(10) > 0) {
                steps.add(step);
            }
        }
        Collections.shuffle(steps, random);
        SeenSteps seen = SeenSteps.NONE;
        TreeSet<Long> expected = new TreeSet<>();
        for (long step : steps) {
            assertEquals(expected.contains(step), seen.contains(step));
            seen = seen.with(step, step);
            expected.add(step);
        }
        for (long step = -1; step <= 2_000; step++) {
            assertEquals(expected.contains(step), seen.contains(step), "step " + step);
        }
        for (SeenSteps.Range range : seen.ranges()) {
            assertEquals(range.last(), range.newestTime(), "newest time of " + range);
        }
        // Ranges are maximal: as many as the runs of consecutive steps.
        long runs = expected.stream().filter(step -> !expected.contains(step - 1)).count();
        assertEquals(runs, seen.ranges().size());
    }

    @Test
    void rangesWhoseNewestStepIsOlderThanTheHorizonAreForgotten() {
        SeenSteps seen = SeenSteps.NONE.with(1, 100).with(2, 200).with(10, 150).with(20, 900);
        SeenSteps kept = seen.forgetOlderThan(200);
        assertEquals(List.of(new SeenSteps.Range(1, 2, 200), new SeenSteps.Range(20, 20, 900)), kept.ranges());
        assertFalse(kept.contains(10));
        assertSame(kept, kept.forgetOlderThan(200));
        assertTrue(seen.forgetOlderThan(1_000).isEmpty());
    }

    @Test
    void serdeRoundTripsAndRejectsTruncatedBytes() {
        SeenSteps seen = SeenSteps.NONE.with(5, 50).with(7, 70).with(6, 60);
        byte[] bytes = SeenSteps.SERDE.serializer().serialize("t", seen);
        assertEquals(seen, SeenSteps.SERDE.deserializer().deserialize("t", bytes));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
        assertThrows(SerializationException.class, () -> SeenSteps.SERDE.deserializer().deserialize("t", truncated));
    }
}
