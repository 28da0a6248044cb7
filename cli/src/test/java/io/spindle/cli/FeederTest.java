package io.spindle.cli;

import io.spindle.contracts.Topics;
import io.spindle.kafka.EmbeddedKafka;
import io.spindle.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spindle feed} against a real broker: what lands on corpus.documents is what the files hold. */
@EmbeddedKafka(partitions = "corpus.documents=1")
class FeederTest {

    @TempDir
    Path corpus;

    @Test
    void feedsTextFilesJsonLinesAndGzipFromAFolder(EmbeddedKafkaBroker kafka) throws IOException {
        Files.writeString(corpus.resolve("a.txt"), "A whole file is one document.\nEven with two lines.");
        Files.writeString(corpus.resolve("b.jsonl"), "{\"id\":\"b1\",\"text\":\"first\"}\n\n{\"id\":\"b2\",\"text\":\"second\"}\n");
        Files.createDirectories(corpus.resolve("sub"));
        gzip(corpus.resolve("sub/c.jsonl.gz"), "{\"text\":\"no id\"}\n");
        gzip(corpus.resolve("sub/d.txt.gz"), "gzipped text");

        Feeder.Fed fed;
        try (Feeder feeder = new Feeder(kafka.bootstrapServers())) {
            fed = feeder.feed(List.of(corpus));
        }
        assertEquals(5, fed.documents());

        Map<String, String> received = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "feeder-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.CORPUS_DOCUMENTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    received.put(String.valueOf(record.key()), record.value());
                }
                return received.size() >= 5;
            });
        }
        assertEquals(List.of("a.txt", "b1", "b2", "null", "d.txt"), List.copyOf(received.keySet()), "folder order, keys");
        assertEquals("A whole file is one document.\nEven with two lines.", received.get("a.txt"));
        assertEquals("{\"id\":\"b2\",\"text\":\"second\"}", received.get("b2"));
        assertEquals("gzipped text", received.get("d.txt"));
    }

    /** A 5 MB file reaches the topic whole; one larger than the topic takes is reported, not silently dropped. */
    @Test
    void largeDocumentsArriveAndTooLargeOnesAreReported(EmbeddedKafkaBroker kafka) throws IOException {
        Files.writeString(corpus.resolve("big.txt"), "word ".repeat(1_000_000));
        try (Feeder feeder = new Feeder(kafka.bootstrapServers())) {
            assertEquals(1, feeder.feed(List.of(corpus.resolve("big.txt"))).documents());
        }
        Files.write(corpus.resolve("huge.txt"), new byte[Topics.DOCUMENT_RECORD_MAX_BYTES + 1]);
        try (Feeder feeder = new Feeder(kafka.bootstrapServers())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> feeder.feed(List.of(corpus.resolve("huge.txt"))));
            assertTrue(e.getMessage().startsWith("1 of 1 documents were not written to corpus.documents"), e.getMessage());
        }
    }

    @Test
    void aMissingPathIsAClearError(EmbeddedKafkaBroker kafka) {
        try (Feeder feeder = new Feeder(kafka.bootstrapServers())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> feeder.feed(List.of(corpus.resolve("nope"))));
            assertEquals("no such file or folder: " + corpus.resolve("nope"), e.getMessage());
        }
    }

    private static void gzip(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }
}
