package io.spindle.contracts.json;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.CheckpointAnnouncement;
import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.StepMetrics;
import io.spindle.contracts.Topics;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventJsonTest {

    @Test
    void stepMetricsRoundTrip() {
        StepMetrics metrics = new StepMetrics(Schema.V1, "run-1", "w0", 12, 1_700_000_000_000L, 3.25, null, 1e-3, 0.8,
                1024, 12288, 850.5, 2.5, 1198.6, 0.41, 1.0, "0:11", 870);
        JsonSerde<StepMetrics> serde = JsonSerde.of(StepMetrics.class);
        assertEquals(metrics, serde.deserialize(Topics.TRAIN_METRICS, serde.serialize(Topics.TRAIN_METRICS, metrics)));
        assertEquals("run-1/w0", metrics.key());
    }

    @Test
    void capacityEventsCarryTheirStateAndReadBackAsTheRightKind() {
        JsonSerde<CapacityEvent> serde = JsonSerde.of(CapacityEvent.class);
        CapacityEvent idle = new CapacityEvent.Idle(Schema.V1, "w0", "run-1", 100, IdleReason.DATA_WAIT, 250);
        CapacityEvent busy = new CapacityEvent.Busy(Schema.V1, "w0", "run-1", 400, IdleReason.DATA_WAIT, 300);

        String json = new String(serde.serialize("t", idle), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"state\":\"IDLE\""), json);
        assertEquals(idle, serde.deserialize("t", serde.serialize("t", idle)));
        assertInstanceOf(CapacityEvent.Busy.class, serde.deserialize("t", serde.serialize("t", busy)));
    }

    @Test
    void unknownFieldsAreIgnoredSoSchemasCanGrow() {
        byte[] json = ("{\"schema\":2,\"drafter\":\"d0\",\"run\":\"r\",\"time\":5,\"harvestedIdleMs\":10,\"steps\":3,"
                + "\"loss\":1.5,\"acceptLength\":2.5,\"speedup\":1.9,\"preemptionLatencyMs\":12,\"newField\":[1,2]}")
                .getBytes(StandardCharsets.UTF_8);
        DrafterMetrics metrics = JsonSerde.of(DrafterMetrics.class).deserialize("t", json);
        assertEquals(2, metrics.schema());
        assertEquals(2.5, metrics.acceptLength());
    }

    @Test
    void checkpointAnnouncementKeepsTheModelConfig() {
        CheckpointAnnouncement announcement = new CheckpointAnnouncement(Schema.V1, "run-1", 200, 9, "file:///c/step-200",
                "ab", 1234, Map.of("dModel", 256, "nLayers", 4), "tokenizer.json@123");
        JsonSerde<CheckpointAnnouncement> serde = JsonSerde.of(CheckpointAnnouncement.class);
        assertEquals(announcement, serde.deserialize("t", serde.serialize("t", announcement)));
    }

    @Test
    void garbageIsASerializationExceptionAndNullIsATombstone() {
        JsonSerde<StepMetrics> serde = JsonSerde.of(StepMetrics.class);
        assertThrows(SerializationException.class, () -> serde.deserialize("t", "{not json".getBytes(StandardCharsets.UTF_8)));
        assertNull(serde.deserialize("t", null));
        assertNull(serde.serialize("t", null));
    }
}
