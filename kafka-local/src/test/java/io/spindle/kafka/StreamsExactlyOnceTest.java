package io.spindle.kafka;

import io.spindle.contracts.Topics.TopicSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A stateful exactly_once_v2 Kafka Streams app (changelog + transactions) runs against the embedded broker. */
@EmbeddedKafka(registryTopics = false)
class StreamsExactlyOnceTest {

    @Test
    void exactlyOnceV2StatefulStream(EmbeddedKafkaBroker kafka, @TempDir Path stateDir) throws Exception {
        kafka.createTopics(List.of(new TopicSpec("eos.in", 2, false, Optional.empty()),
                new TopicSpec("eos.out", 1, false, Optional.empty())));
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("eos.in", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.as("counts"))
                .toStream()
                .mapValues(String::valueOf)
                .to("eos.out", org.apache.kafka.streams.kstream.Produced.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("eos.in", "a", "x" + i)).get();
            }
        }
        try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
            streams.start();
            List<String> counts = EmbeddedKafkaBrokerTest.consume(kafka.bootstrapServers(), "eos.out",
                    "read_committed", 3).stream().map(ConsumerRecord::value).toList();
            assertEquals(List.of("1", "2", "3"), counts);
            streams.close(Duration.ofSeconds(10));
        }
    }
}
