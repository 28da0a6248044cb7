package io.spindle.tokenizer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.kafka.InjectKafkaBroker;
import io.spindle.kafka.KafkaBrokerResource;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service against a real broker, fed the way any Kafka client would feed it. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class TokenizerServiceTest {

    @InjectKafkaBroker
    String bootstrap;

    @Inject
    TextTokenizer tokenizer;

    @Test
    void packsDocumentsIntoBatchesAndRejectsEachKindOfBadRecordWithItsReason() {
        assertInstanceOf(FastBpeTextTokenizer.class, tokenizer, "the sample vocabulary takes the fast path");
        int documents = 200;
        long expectedTokens = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < documents; i++) {
                String text = "Record " + i + ": the tide came in over the old harbour wall, and the boats rose with it.";
                String value = i % 2 == 0 ? text : "{\"id\":\"j" + i + "\",\"text\":\"" + text + "\",\"source\":\"test\"}";
                producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, "doc-" + i, value.getBytes(StandardCharsets.UTF_8)));
                expectedTokens += tokenizer.encode(text).length + 1;
            }
            BadRecords.ONE_OF_EACH.forEach((reason, value) ->
                    producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, reason, value)));
            // The first document again, byte for byte: dropped as a duplicate if it lands in the same partition.
            String again = "Record 0: the tide came in over the old harbour wall, and the boats rose with it.";
            producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, "doc-0", again.getBytes(StandardCharsets.UTF_8)));
        }

        int batchTokens = 8 * 129;
        // Per partition only whole batches leave; the rest stays pending. Bound below by the worst case.
        long minimumBatches = (expectedTokens - 4L * batchTokens) / batchTokens;
        List<TokenBatch> batches = new ArrayList<>();
        Map<String, String> rejected = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES, Topics.CORPUS_REJECTED));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (record.topic().equals(Topics.TRAIN_BATCHES)) {
                        batches.add(BatchCodec.decode(record.value()));
                    } else {
                        rejected.put(record.key(), new String(record.headers().lastHeader(Rejection.HEADER_REASON).value(),
                                StandardCharsets.UTF_8));
                    }
                }
                return rejected.size() == BadRecords.ONE_OF_EACH.size() + 1 && batches.size() >= minimumBatches;
            });
        }
        for (String reason : BadRecords.ONE_OF_EACH.keySet()) {
            assertEquals(reason, rejected.get(reason), "the record keyed " + reason);
        }
        assertEquals("DUPLICATE", rejected.get("doc-0"), "same key, same partition, same text");
        for (TokenBatch batch : batches) {
            assertEquals(batchTokens, batch.tokenCount(), "no short batches, no padding");
            assertEquals(tokenizer.id(), batch.tokenizerId());
            assertTrue(batch.docStarts().length == 8);
        }
        given().get("/api/stats").then().statusCode(200)
                .body("documents", equalTo(documents))
                .body("duplicates", equalTo(1))
                .body("rejected", equalTo(BadRecords.ONE_OF_EACH.size() + 1));
        // Bad input never stops the stream: the service is still ready and still packing.
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("spindle_tokenizer_rejected_total{reason=\"BINARY\"} 1.0"))
                .body(containsString("spindle_tokenizer_packing_efficiency 1.0"));
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "tokenizer-test",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
