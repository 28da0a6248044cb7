package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spindle.contracts.Topics;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * {@code spindle feed}: produces files to {@code corpus.documents} exactly as any Kafka client could.
 * A {@code .jsonl} line is one record, sent as it is (key: its {@code id}); any other file is one raw-text
 * document (key: its file name). {@code .gz} is read through; folders are walked in name order.
 */
final class Feeder implements AutoCloseable {

    record Fed(long documents, long bytes) {
        Fed plus(Fed other) {
            return new Fed(documents + other.documents, bytes + other.bytes);
        }
    }

    private final Producer<String, byte[]> producer;
    /** Records the broker or the client refused (e.g. larger than the topic takes): reported, never dropped silently. */
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    Feeder(String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "spindle-feed",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                // As large as corpus.documents takes; the tokenizer rejects what exceeds its own limit, with a reason.
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.DOCUMENT_RECORD_MAX_BYTES,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * Topics.DOCUMENT_RECORD_MAX_BYTES),
                new StringSerializer(), new ByteArraySerializer());
    }

    Fed feed(List<Path> paths) {
        Fed total = new Fed(0, 0);
        for (Path path : paths) {
            total = total.plus(feedPath(path));
        }
        producer.flush();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + total.documents() + " documents were not written to "
                    + Topics.CORPUS_DOCUMENTS + "; the first because: " + firstFailure.get().getMessage(), firstFailure.get());
        }
        return total;
    }

    private Fed feedPath(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no such file or folder: " + path);
        }
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                return files.filter(Files::isRegularFile).sorted().map(this::feedFile).reduce(new Fed(0, 0), Fed::plus);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return feedFile(path);
    }

    private Fed feedFile(Path file) {
        String name = file.getFileName().toString();
        String plainName = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        try (InputStream in = open(file)) {
            if (plainName.endsWith(".jsonl") || plainName.endsWith(".ndjson")) {
                return feedLines(in);
            }
            byte[] text = in.readAllBytes();
            send(plainName, text);
            return new Fed(1, text.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private Fed feedLines(InputStream in) throws IOException {
        long documents = 0;
        long bytes = 0;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            byte[] value = line.getBytes(StandardCharsets.UTF_8);
            send(idOf(line), value);
            documents++;
            bytes += value.length;
        }
        return new Fed(documents, bytes);
    }

    private static String idOf(String jsonLine) {
        try {
            JsonNode id = Json.MAPPER.readTree(jsonLine).get("id");
            return id == null || id.isNull() ? null : id.asText();
        } catch (IOException e) {
            return null; // sent anyway: the tokenizer rejects it with a reason, which is the point
        }
    }

    private void send(String key, byte[] value) {
        producer.send(new ProducerRecord<>(Topics.CORPUS_DOCUMENTS, key, value), (metadata, error) -> {
            if (error != null) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
        });
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    @Override
    public void close() {
        producer.close();
    }
}
