package io.spindle.tokenizer;

import io.quarkus.test.common.WithTestResource;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service against a real broker, fed the way any Kafka client would feed it. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class TokenizerServiceTest {

    @InjectKafkaBroker
    String bootstrap;

    @Inject
    TextTokenizer tokenizer;

    @Test
    void packsDocumentsAndGivesEveryKindOfBadInputItsOutcomeWhileStayingReady() {
        assertInstanceOf(FastBpeTextTokenizer.class, tokenizer, "the sample vocabulary takes the fast path");
        int documents = 200;
        long expectedTokens = 0;
        // Per input partition, the catalogue's accepted documents in the order sent: their tokens must
        // appear in that partition's batches as one run.
        Map<Integer, List<Integer>> expectedRuns = new HashMap<>();
        Set<String> expectedRejects = new TreeSet<>();
        int acceptedKinds = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.DOCUMENT_RECORD_MAX_BYTES,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * Topics.DOCUMENT_RECORD_MAX_BYTES),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < documents; i++) {
                String text = "Record " + i + ": the tide came in over the old harbour wall, and the boats rose with it.";
                String value = i % 2 == 0 ? text : "{\"id\":\"j" + i + "\",\"text\":\"" + text + "\",\"source\":\"test\"}";
                producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, BadInput.utf8("doc-" + i), BadInput.utf8(value)));
                expectedTokens += tokenizer.encode(text).length + 1;
            }
            // The first document again, byte for byte: dropped as a duplicate if it lands in the same partition.
            String again = "Record 0: the tide came in over the old harbour wall, and the boats rose with it.";
            producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, BadInput.utf8("doc-0"), BadInput.utf8(again)));
            expectedRejects.add("doc-0 DUPLICATE");

            for (int k = 0; k < BadInput.ALL.size(); k++) {
                BadInput.Kind kind = BadInput.ALL.get(k);
                int partition = k % PARTITIONS;
                for (int i = 0; i < kind.docs().size(); i++) {
                    BadInput.Doc doc = kind.docs().get(i);
                    producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, partition, null, doc.key(), doc.value(),
                            BadInputTopologyTest.tagged(kind, i)));
                    if (doc.outcome().isAccepted()) {
                        acceptedKinds++;
                        List<Integer> run = expectedRuns.computeIfAbsent(partition, p -> new ArrayList<>());
                        for (int token : tokenizer.encode(doc.outcome().acceptedText())) {
                            run.add(token);
                        }
                        run.add(tokenizer.eosId());
                    } else {
                        expectedRejects.add(BadInputTopologyTest.tag(kind, i) + " " + doc.outcome().reason());
                    }
                }
            }
            for (int partition = 0; partition < PARTITIONS; partition++) {
                producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, partition, BadInput.utf8("flush-" + partition),
                        BadInput.utf8(BadInputTopologyTest.flushText(partition))));
            }
        }

        int batchTokens = 8 * 129;
        Map<Integer, List<Integer>> packed = new HashMap<>();
        Set<String> rejected = new TreeSet<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.TRAIN_BATCHES, Topics.CORPUS_REJECTED));
            await().atMost(Duration.ofSeconds(180)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (record.topic().equals(Topics.TRAIN_BATCHES)) {
                        TokenBatch batch = BatchCodec.decode(record.value());
                        assertEquals(batchTokens, batch.tokenCount(), "no short batches, no padding");
                        assertEquals(tokenizer.id(), batch.tokenizerId());
                        List<Integer> stream = packed.computeIfAbsent(record.partition(), p -> new ArrayList<>());
                        for (int token : batch.tokens()) {
                            stream.add(token);
                        }
                    } else {
                        Header kind = record.headers().lastHeader(BadInput.KIND_HEADER);
                        rejected.add((kind == null ? record.key() : new String(kind.value(), StandardCharsets.UTF_8))
                                + " " + new String(record.headers().lastHeader(Rejection.HEADER_REASON).value(), StandardCharsets.UTF_8));
                    }
                }
                // Bad input never stops the stream: the service answers ready all along.
                given().get("/q/health/ready").then().statusCode(200);
                return rejected.size() >= expectedRejects.size() && expectedRuns.entrySet().stream().allMatch(run ->
                        Collections.indexOfSubList(packed.getOrDefault(run.getKey(), List.of()), run.getValue()) >= 0);
            });
        }
        assertEquals(expectedRejects, rejected, "every rejected kind with its reason, and nothing else");
        long packedTokens = packed.values().stream().mapToLong(List::size).sum();
        assertTrue(packedTokens >= expectedTokens - PARTITIONS * batchTokens, "the 200 plain documents are packed too");
        given().get("/api/stats").then().statusCode(200)
                .body("documents", equalTo(documents + acceptedKinds + PARTITIONS))
                .body("duplicates", equalTo(2))
                .body("rejected", equalTo(expectedRejects.size()));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("spindle_tokenizer_rejected_total{reason=\"NOT_AN_OBJECT\"} 4.0"))
                .body(containsString("spindle_tokenizer_packing_efficiency 1.0"));
    }

    private static final int PARTITIONS = Topics.spec(Topics.CORPUS_DOCUMENTS).partitions();

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "tokenizer-test",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
