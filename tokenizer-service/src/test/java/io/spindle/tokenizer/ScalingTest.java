package io.spindle.tokenizer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.kafka.EmbeddedKafka;
import io.spindle.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas of the tokenizer (same application id, as two pods would run) split the input partitions
 * between them, and batches from input partition p go to train.batches partition p mod N (here N = 2
 * trainer shards).
 */
@EmbeddedKafka(partitions = "train.batches=2")
class ScalingTest {

    static TextTokenizer tokenizer;

    @TempDir
    Path state;

    @BeforeAll
    static void load() {
        tokenizer = TokenizerLoader.load(TokenizerLoaderTest.SAMPLE, TokenizerLoaderTest.EOS, TokenizerServiceConfig.FastPath.AUTO);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void replicasShareTheInputPartitionsAndBatchesGoToTheirShard(EmbeddedKafkaBroker kafka) throws Exception {
        KafkaStreams first = replica(kafka, "a");
        KafkaStreams second = replica(kafka, "b");
        try {
            first.start();
            second.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> assigned(first).size() + assigned(second).size() == 4
                    && first.state() == KafkaStreams.State.RUNNING && second.state() == KafkaStreams.State.RUNNING);
            Set<Integer> a = assigned(first);
            Set<Integer> b = assigned(second);
            assertFalse(a.isEmpty(), "replica a has work");
            assertFalse(b.isEmpty(), "replica b has work");
            Set<Integer> both = new HashSet<>(a);
            both.retainAll(b);
            assertTrue(both.isEmpty(), "no input partition is read twice: " + a + " / " + b);

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 400; i++) {
                    String text = "Shard test document " + i + " tells of rivers, ferries and the long road north.";
                    producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, i % 4, null, text.getBytes(StandardCharsets.UTF_8)));
                }
            }
            Set<Integer> batchInputs = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "scaling-check",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                        TokenBatch batch = BatchCodec.decode(record.value());
                        assertEquals(batch.lineage().partition() % 2, record.partition(), "input p -> shard p mod 2");
                        batchInputs.add(batch.lineage().partition());
                    }
                    return batchInputs.size() == 4;
                });
            }
        } finally {
            first.close(Duration.ofSeconds(10));
            second.close(Duration.ofSeconds(10));
        }
    }

    private KafkaStreams replica(EmbeddedKafkaBroker kafka, String name) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tokenizer-scaling");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve(name).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        var config = new TokenizerTopologyTest.TestConfig(Path.of(TokenizerLoaderTest.SAMPLE), 2, 17);
        return new KafkaStreams(new TokenizerTopology().buildTopology(tokenizer, config,
                new TokenizerStats(new SimpleMeterRegistry())), props);
    }

    private static Set<Integer> assigned(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream()
                .map(ThreadMetadata::activeTasks).flatMap(Set::stream)
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(Topics.CORPUS_DOCUMENTS))
                .map(TopicPartition::partition)
                .collect(Collectors.toSet());
    }
}
