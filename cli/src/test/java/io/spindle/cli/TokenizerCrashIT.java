package io.spindle.cli;

import io.spindle.contracts.Rejection;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import io.spindle.tokenizers.ByteLevelBpeEncoder;
import io.spindle.tokenizers.SpecialTokens;
import io.spindle.tokenizers.TokenizerJsonReader;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once under crashes: the packaged tokenizer-service is killed with SIGKILL three times while
 * documents stream in, and restarted each time. Afterwards every token of every accepted document is in
 * exactly one committed batch, in order within its input partition; no batch is missing or repeated,
 * and each exact duplicate was dropped exactly once (the hashes of seen texts are transactional too).
 */
class TokenizerCrashIT {

    static final int ROWS = 4;
    static final int ROW_LENGTH = 65;
    static final int KILLS = 3;

    /**
     * A killed member is only noticed when its session times out, so a short one keeps each restart quick;
     * a short transaction timeout aborts a killed producer's open transaction soon too.
     */
    static final Map<String, String> TOKENIZER_SETTINGS = Map.of(
            "spindle.tokenizer.path", ClusterFixture.SAMPLES_TOKENIZER.toString(),
            "spindle.tokenizer.rows-per-batch", String.valueOf(ROWS),
            "spindle.tokenizer.row-length", String.valueOf(ROW_LENGTH),
            "kafka-streams.consumer.session.timeout.ms", "6000",
            "kafka-streams.consumer.heartbeat.interval.ms", "1000",
            "kafka-streams.producer.transaction.timeout.ms", "5000");

    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = ClusterFixture.cluster("crash", List.of(Service.TOKENIZER));
        cluster.startKafka(Map.of(), Duration.ofSeconds(180));
        cluster.startService(Service.TOKENIZER, TOKENIZER_SETTINGS, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.stopAll();
        }
    }

    @Test
    void killedThreeTimesMidStreamItLosesAndRepeatsNothing() throws Exception {
        TokenLedger ledger = tokenLedger();
        List<String> corpus = ClusterFixture.sampleLines(0, 600);
        AtomicBoolean crashesDone = new AtomicBoolean();

        // Feeds at a steady pace until the crashes are over, then a last stretch; the corpus repeats, so
        // exact duplicates (same text, same partition) come along as well.
        CompletableFuture<Integer> feeder = CompletableFuture.supplyAsync(() -> {
            int sent = 0;
            int tail = 200;
            try (KafkaProducer<String, byte[]> producer = ClusterFixture.producer(cluster)) {
                while (!crashesDone.get() || tail-- > 0) {
                    sendDocument(producer, ledger, "doc-" + (sent % 1000), corpus.get(sent % corpus.size()));
                    sent++;
                    if (sent % 25 == 0) {
                        Thread.sleep(100);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("feeding failed after " + sent + " records", e);
            }
            return sent;
        });

        for (int kill = 0; kill < KILLS; kill++) {
            LocalCluster.sleep(Duration.ofMillis(2500));
            cluster.kill(Service.TOKENIZER);
            cluster.startService(Service.TOKENIZER, TOKENIZER_SETTINGS, Duration.ofSeconds(90));
        }
        crashesDone.set(true);
        int sent = feeder.get();

        int[] duplicateRejects = {0};
        TokenLedger.Check check;
        try (KafkaConsumer<String, byte[]> consumer = ClusterFixture.consumer(cluster, "crash-check")) {
            check = ledger.verify(consumer, ROWS * ROW_LENGTH, Duration.ofSeconds(90), record -> {
                String reason = new String(record.headers().lastHeader(Rejection.HEADER_REASON).value(), StandardCharsets.UTF_8);
                assertEquals(Rejection.Reason.DUPLICATE.name(), reason, "only duplicates are rejected here");
                duplicateRejects[0]++;
            }, () -> duplicateRejects[0] >= ledger.duplicates());
        }
        assertEquals(ledger.duplicates(), duplicateRejects[0], "each duplicate rejected exactly once");
        assertTrue(ledger.duplicates() > 0, "the feed repeated texts, so the duplicate path was exercised");
        System.out.printf("crash test: injected %d kills (SIGKILL) of the tokenizer while %d records streamed in; checked "
                        + "%d tokens in %d partitions conserved (0 lost, 0 duplicated), %d duplicates dropped once each%n",
                KILLS, sent, check.tokens(), check.partitions(), ledger.duplicates());
    }

    /** The samples tokenizer, run in the test as the reference for what the service must pack. */
    static TokenLedger tokenLedger() throws IOException {
        ByteLevelBpeEncoder encoder = new ByteLevelBpeEncoder(TokenizerJsonReader.read(ClusterFixture.SAMPLES_TOKENIZER));
        return new TokenLedger(encoder::encode, SpecialTokens.EOS_ID);
    }

    /** Sends one JSONL document and records it once the broker acknowledged it (so its partition is known). */
    static void sendDocument(KafkaProducer<String, byte[]> producer, TokenLedger ledger, String key, String line) throws Exception {
        RecordMetadata meta = producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, key,
                line.getBytes(StandardCharsets.UTF_8))).get();
        ledger.acknowledged(meta.partition(), Json.MAPPER.readTree(line).get("text").asText());
    }
}
