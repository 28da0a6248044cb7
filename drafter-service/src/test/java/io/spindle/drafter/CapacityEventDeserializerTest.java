package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CapacityEventDeserializerTest {

    private final CapacityEventDeserializer deserializer = new CapacityEventDeserializer();

    private CapacityEvent read(String json) {
        return deserializer.deserialize("capacity.events", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsIdleAndBusyByTheirStateField() {
        CapacityEvent idle = read("""
                {"state":"IDLE","schema":1,"worker":"w0","run":"r1","time":5,"reason":"SYNC_WAIT",
                 "expectedIdleMs":40,"futureField":true}""");
        assertEquals(new CapacityEvent.Idle(1, "w0", "r1", 5, IdleReason.SYNC_WAIT, 40), idle);
        assertInstanceOf(CapacityEvent.Busy.class,
                read("{\"state\":\"BUSY\",\"schema\":1,\"worker\":\"w0\",\"time\":9,\"reason\":\"DATA_WAIT\",\"idleMs\":4}"));
    }

    @Test
    void badInputIsASerializationException() {
        assertThrows(SerializationException.class, () -> read("{not json"));
        assertThrows(SerializationException.class, () -> read("{\"state\":\"ASLEEP\",\"worker\":\"w0\"}"));
    }
}
