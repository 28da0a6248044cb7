package io.spindle.kafka;

import io.spindle.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code LocalKafka} does across restarts: the second start reuses the formatted data dir and its records. */
class RestartTest {

    @Test
    void restartOnSameDataDirKeepsRecords(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kafka");
        String topic = Topics.TRAIN_CHECKPOINTS;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDir(data).start()) {
            assertTrue(first.formattedOnStart());
            first.createRegistryTopics();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                producer.send(new ProducerRecord<>(topic, "run-1", "{\"step\":100}")).get();
                producer.send(new ProducerRecord<>(topic, "run-1", "{\"step\":200}")).get();
            }
        }
        assertTrue(Files.exists(data.resolve("meta.properties")), "data dir kept after close");

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDir(data).start()) {
            assertFalse(second.formattedOnStart(), "second start must reuse the formatted log");
            second.createRegistryTopics(); // idempotent on existing topics
            List<String> values = EmbeddedKafkaBrokerTest.consume(second.bootstrapServers(), topic,
                    "read_committed", 2).stream().map(ConsumerRecord::value).toList();
            assertEquals(List.of("{\"step\":100}", "{\"step\":200}"), values);
        }
    }

    @Test
    void temporaryDataDirIsDeletedOnClose() {
        Path data;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            data = broker.dataDir();
            assertTrue(Files.isDirectory(data));
        }
        assertFalse(Files.exists(data));
    }
}
