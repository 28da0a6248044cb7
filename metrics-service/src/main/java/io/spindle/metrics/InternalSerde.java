package io.spindle.metrics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import io.spindle.contracts.json.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Serde of metrics-service's own records: the {@code events-by-run} topic, the state stores and their changelogs.
 * Smile, Jackson's binary form of JSON: the same records, annotations and rules as {@link Json} (unknown fields
 * ignored), but doubles stay binary and field names are written once per document. The cached aggregates are read
 * and rewritten on every event, so this is most of the service's work per event; text JSON stays for the input
 * topics (the contract with the trainers and the drafter), REST and SSE.
 *
 * <p>Records written as JSON before (changelogs of an older version) are still read: a Smile document begins with
 * its {@code :)\n} header, JSON never does.
 */
final class InternalSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private static final ObjectMapper SMILE = SmileMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Class<T> type;

    private InternalSerde(Class<T> type) {
        this.type = type;
    }

    static <T> InternalSerde<T> of(Class<T> type) {
        return new InternalSerde<>(type);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return SMILE.writeValueAsBytes(data);
        } catch (IOException e) {
            throw new SerializationException("cannot write " + type.getSimpleName() + " on " + topic, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return isSmile(data) ? SMILE.readValue(data, type) : Json.read(data, type);
        } catch (IOException | UncheckedIOException e) {
            throw new SerializationException("bad " + type.getSimpleName() + " on " + topic + ": " + e.getMessage(), e);
        }
    }

    private static boolean isSmile(byte[] data) {
        return data.length >= 3 && data[0] == ':' && data[1] == ')' && data[2] == '\n';
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
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
