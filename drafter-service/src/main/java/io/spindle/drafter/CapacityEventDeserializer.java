package io.spindle.drafter;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.json.JsonSerde;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code capacity.events} values with the contracts' JSON settings. Bad input throws a
 * {@code SerializationException}, which the connector hands to {@link UnreadableCapacityEventHandler}.
 */
public class CapacityEventDeserializer implements Deserializer<CapacityEvent> {

    private final Deserializer<CapacityEvent> json = JsonSerde.of(CapacityEvent.class);

    @Override
    public CapacityEvent deserialize(String topic, byte[] data) {
        return json.deserialize(topic, data);
    }
}
