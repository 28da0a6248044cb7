package io.spindle.contracts.batch;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import java.util.Map;

/** Kafka serde for {@link TokenBatch} via {@link BatchCodec}. */
public final class BatchSerde implements Serde<TokenBatch>, Serializer<TokenBatch>, Deserializer<TokenBatch> {

    @Override
    public byte[] serialize(String topic, TokenBatch batch) {
        return batch == null ? null : BatchCodec.encode(batch);
    }

    @Override
    public TokenBatch deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return BatchCodec.decode(data);
        } catch (BatchFormatException e) {
            throw new SerializationException("bad batch on " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public Serializer<TokenBatch> serializer() {
        return this;
    }

    @Override
    public Deserializer<TokenBatch> deserializer() {
        return this;
    }
}
