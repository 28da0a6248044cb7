package io.spindle.kafka;

import io.spindle.contracts.Topics;
import io.spindle.contracts.Topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@EmbeddedKafka(partitions = "train.batches=1")
class EmbeddedKafkaBrokerTest {

    private final EmbeddedKafkaBroker kafka;

    EmbeddedKafkaBrokerTest(EmbeddedKafkaBroker kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    static void brokerIsLoopback(EmbeddedKafkaBroker kafka) {
        assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
        System.out.printf("embedded broker started in %d ms%n", kafka.startupTime().toMillis());
    }

    @Test
    void produceConsumeRoundTrip() throws Exception {
        String topic = Topics.CORPUS_DOCUMENTS;
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "doc-" + i, "text " + i)).get();
            }
        }
        List<ConsumerRecord<String, String>> records = consume(topic, "read_uncommitted", 10);
        assertEquals(10, records.size());
        Set<String> values = records.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
        assertTrue(values.contains("text 0") && values.contains("text 9"), values.toString());
    }

    @Test
    void registryTopicsHaveSpecPartitionsAndCleanupPolicy() throws Exception {
        try (Admin admin = admin()) {
            Set<String> names = Topics.ALL.stream().map(TopicSpec::name).collect(Collectors.toSet());
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
            List<ConfigResource> resources = names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
            for (TopicSpec spec : Topics.ALL) {
                int expected = spec.name().equals(Topics.TRAIN_BATCHES) ? 1 : spec.partitions();
                assertEquals(expected, descriptions.get(spec.name()).partitions().size(), spec.name());
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                assertEquals(spec.compacted() ? "compact" : "delete", config.get("cleanup.policy").value(), spec.name());
                assertEquals(spec.configs().get("retention.ms"), config.get("retention.ms").value(), spec.name());
            }
            assertEquals("compact", configs.get(new ConfigResource(ConfigResource.Type.TOPIC,
                    Topics.TRAIN_CHECKPOINTS)).get("cleanup.policy").value());
        }
    }

    @Test
    void createTopicsIsIdempotentAndGrowsPartitions() throws Exception {
        kafka.createRegistryTopics(); // all exist already
        TopicSpec spec = new TopicSpec("test.grow", 1, false, Optional.empty());
        kafka.createTopics(List.of(spec));
        kafka.createTopics(List.of(spec), Map.of("test.grow", 3));
        try (Admin admin = admin()) {
            assertEquals(3, admin.describeTopics(List.of("test.grow")).allTopicNames().get()
                    .get("test.grow").partitions().size());
        }
    }

    @Test
    void transactionalProducerCommitsAndReadCommittedConsumerSeesOnlyCommitted() throws Exception {
        String topic = "test.transactions";
        kafka.createTopics(List.of(new TopicSpec(topic, 1, false, Optional.empty())));
        Map<String, Object> tx = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = producer(tx)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
            producer.commitTransaction();
        }
        List<String> values = consume(topic, "read_committed", 2).stream().map(ConsumerRecord::value).toList();
        assertEquals(List.of("committed-1", "committed-2"), values);
        assertFalse(values.contains("aborted"));
    }

    private KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    private List<ConsumerRecord<String, String>> consume(String topic, String isolation, int expected) {
        return consume(kafka.bootstrapServers(), topic, isolation, expected);
    }

    static List<ConsumerRecord<String, String>> consume(String bootstrap, String topic, String isolation, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
