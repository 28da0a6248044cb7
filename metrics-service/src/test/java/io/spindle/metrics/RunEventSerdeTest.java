package io.spindle.metrics;

import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RunEventSerdeTest {

    private static final RunEventSerde SERDE = new RunEventSerde();
    private static final long T0 = TopologyTest.T0;

    @Test
    void everyKindOfEventRoundTrips() {
        StepMetrics withEval = new StepMetrics(Schema.V1, "r1", "wörker", 10, T0, 2.5, 2.6, 3e-4, 1.5, 256, 2560, 900.5,
                100.25, 1_000, 0.41, 128, "0:10", 512);
        StepMetrics withoutEval = new StepMetrics(Schema.V1, "r1", "w0", 11, T0 + 1, Double.NaN, null, 0, 0, 0, 0, 0, 0, 0, 0,
                1, null, -1);
        List<RunEvent> events = List.of(
                RunEvent.step(withEval),
                RunEvent.step(withoutEval),
                RunEvent.idleStart("r1", "w0", T0, IdleReason.SYNC_WAIT),
                RunEvent.idleEnd("r1", "w0", T0 + 5, IdleReason.DATA_WAIT, 5, 15, true),
                RunEvent.harvest(new DrafterMetrics(Schema.V1, "d0", "r1", T0, 1_200, 10, 2.5, 3.1, 1.8, 40.5), 1_200));
        for (RunEvent event : events) {
            byte[] bytes = SERDE.serialize("t", event);
            assertEquals(RunEventSerde.MAGIC, bytes[0]);
            assertEquals(event, SERDE.deserialize("t", bytes));
        }
        assertNull(SERDE.serialize("t", null));
        assertNull(SERDE.deserialize("t", null));
    }

    @Test
    void theLayoutCoversEveryFieldOfTheRecordsItWrites() {
        // A new field in one of these records must be added to RunEventSerde (and this count with it).
        assertEquals(11, RunEvent.class.getRecordComponents().length, Arrays.toString(RunEvent.class.getRecordComponents()));
        assertEquals(18, StepMetrics.class.getRecordComponents().length, Arrays.toString(StepMetrics.class.getRecordComponents()));
        assertEquals(10, DrafterMetrics.class.getRecordComponents().length, Arrays.toString(DrafterMetrics.class.getRecordComponents()));
    }

    @Test
    void eventsWrittenByEarlierVersionsAreStillRead() {
        RunEvent event = RunEvent.step(TopologyTest.step("r1", "w0", 10, 2.5, 256));
        assertEquals(event, SERDE.deserialize("t", InternalSerde.of(RunEvent.class).serialize("t", event)), "Smile");
        assertEquals(event, SERDE.deserialize("t", io.spindle.contracts.json.Json.write(event)), "JSON");
    }

    @Test
    void truncatedBytesAreASerializationError() {
        byte[] bytes = SERDE.serialize("t", RunEvent.step(TopologyTest.step("r1", "w0", 10, 2.5, 256)));
        assertThrows(SerializationException.class, () -> SERDE.deserialize("t", Arrays.copyOf(bytes, bytes.length - 3)));
        assertThrows(SerializationException.class, () -> SERDE.deserialize("t", new byte[] {RunEventSerde.MAGIC, 0, 0, 0, 4, 'N', 'O', 'P', 'E'}));
    }
}
