package io.spindle.metrics;

import io.spindle.contracts.DrafterMetrics;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.json.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InternalSerdeTest {

    private static final long T0 = TopologyTest.T0;

    private static RunSummary summary() {
        RunSummary summary = RunSummary.empty();
        for (long step = 1; step <= 20; step++) {
            summary = summary.with(RunEvent.step(TopologyTest.step("r1", "w" + step % 3, step, 3.0 - step / 100.0, 512)));
        }
        summary = summary.with(RunEvent.idleStart("r1", "w0", T0 + 30_000, IdleReason.DATA_WAIT));
        summary = summary.with(RunEvent.idleEnd("r1", "w0", T0 + 31_500, IdleReason.DATA_WAIT, 1_500, 1_500, false));
        return summary.with(RunEvent.harvest(new DrafterMetrics(Schema.V1, "d0", "r1", T0 + 32_000, 1_200, 10, 2.5, 3.1, 1.8, 40), 1_200));
    }

    @Test
    void aggregatesAndEventsRoundTripThroughSmile() {
        RunSummary summary = summary();
        InternalSerde<RunSummary> summaries = InternalSerde.of(RunSummary.class);
        byte[] bytes = summaries.serialize("t", summary);
        assertTrue(bytes[0] == ':' && bytes[1] == ')', "a Smile document");
        assertEquals(summary, summaries.deserialize("t", bytes));

        RunWindow window = RunWindow.empty();
        for (long step = 1; step <= 5; step++) {
            window = window.with(RunEvent.step(TopologyTest.step("r1", "w" + step % 2, step, 2.0 + step, 100)));
        }
        assertEquals(window, InternalSerde.of(RunWindow.class).deserialize("t", InternalSerde.of(RunWindow.class).serialize("t", window)));

        RunEvent event = RunEvent.step(TopologyTest.step("r1", "w0", 10, 2.5, 256));
        assertEquals(event, InternalSerde.of(RunEvent.class).deserialize("t", InternalSerde.of(RunEvent.class).serialize("t", event)));
        assertNull(summaries.serialize("t", null));
        assertNull(summaries.deserialize("t", null));
    }

    @Test
    void jsonWrittenByEarlierVersionsIsStillRead() {
        RunSummary summary = summary();
        assertEquals(summary, InternalSerde.of(RunSummary.class).deserialize("t", Json.write(summary)));
    }

    @Test
    void unreadableBytesAreASerializationError() {
        InternalSerde<RunEvent> events = InternalSerde.of(RunEvent.class);
        assertThrows(SerializationException.class, () -> events.deserialize("t", "{not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(SerializationException.class, () -> events.deserialize("t", new byte[] {':', ')', '\n', 1, (byte) 0xff}));
    }
}
