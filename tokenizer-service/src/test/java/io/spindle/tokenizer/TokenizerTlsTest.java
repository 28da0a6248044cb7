package io.spindle.tokenizer;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.EmbeddedKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tokenizer (Kafka Streams, exactly-once) against a broker that only speaks TLS, told how by configuration
 * alone: {@code kafka-streams.security.protocol=SSL} and the truststore, as the test resource passes them.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = "tls", value = "true"))
class TokenizerTlsTest {

    @InjectKafkaBroker
    EmbeddedKafkaBroker broker;

    @Test
    void packsDocumentsFromATlsOnlyBroker() {
        Map<String, Object> producerConfig = new HashMap<>(broker.clientProperties());
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            // One partition, more than a batch of tokens: at least one whole batch must leave.
            producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, 0, null,
                    BadInput.utf8(BadInputTopologyTest.flushText(7))));
        }
        Map<String, Object> consumerConfig = new HashMap<>(broker.clientProperties());
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "tls-test");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<byte[]> batches = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> batches.add(r.value()));
                return !batches.isEmpty();
            });
        }
        assertEquals(8 * 129, BatchCodec.decode(batches.get(0)).tokenCount());
        given().get("/q/health/ready").then().statusCode(200);
    }
}
