package io.spindle.cli;

import io.spindle.contracts.CapacityEvent;
import io.spindle.contracts.IdleReason;
import io.spindle.contracts.Schema;
import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import io.spindle.contracts.json.Json;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * What the process-level tests (the pipeline test and the fault tests) share: the checkout they run from, a
 * {@link LocalCluster} on free ports in a temporary folder, Kafka clients for it, sample documents, synthetic
 * batches and capacity events.
 */
final class ClusterFixture {

    static final Path HOME = Path.of(System.getProperty("spindle.home", "..")).toAbsolutePath().normalize();
    static final Path SAMPLES_TOKENIZER = HOME.resolve("samples/tokenizer.json");

    private ClusterFixture() {
    }

    /** A cluster with free ports for {@code services}, working in a fresh temporary folder named after the test. */
    static LocalCluster cluster(String name, Collection<Service> services) {
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service service : services) {
            ports.put(service, freePort());
        }
        try {
            Path work = Files.createTempDirectory("spindle-" + name);
            return new LocalCluster(new Layout(HOME, work, freePort(), ports), new PrintStream(System.out, true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KafkaProducer<String, byte[]> producer(LocalCluster cluster) {
        return producer(cluster, Map.of());
    }

    /** An idempotent producer (the clients' default): a retry after a lost answer is not written twice. */
    static KafkaProducer<String, byte[]> producer(LocalCluster cluster, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers()));
        config.putAll(overrides);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** A read_committed consumer of {@code group} that starts at the beginning of what it subscribes to. */
    static KafkaConsumer<String, byte[]> consumer(LocalCluster cluster, String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The offsets {@code group} has committed, by partition (empty when it has committed none). */
    static Map<TopicPartition, Long> committedOffsets(LocalCluster cluster, String group) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.layout().bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> result = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    result.put(partition, offset.offset());
                }
            });
            return result;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e);
        }
    }

    /** Lines {@code [from, from + count)} of {@code samples/corpus.jsonl.gz}: JSON documents with a {@code text}. */
    static List<String> sampleLines(int from, int count) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(HOME.resolve("samples/corpus.jsonl.gz"))), StandardCharsets.UTF_8))) {
            int index = 0;
            for (String line = reader.readLine(); line != null && lines.size() < count; line = reader.readLine(), index++) {
                if (index >= from) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (lines.size() < count) {
            throw new IllegalStateException("samples/corpus.jsonl.gz has fewer than " + (from + count) + " lines");
        }
        return lines;
    }

    /**
     * Batch {@code seq} of a seeded random stream on partition 0: every batch differs, so a skip or a repeat
     * shows in what is trained on it; mostly a cycle (learnable, so the loss moves) with noise.
     */
    static TokenBatch syntheticBatch(String run, int seq, int rows, int rowLength, int vocab) {
        Random random = new Random(seq);
        int[] tokens = new int[rows * rowLength];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(5) == 0 ? random.nextInt(vocab) : (i + seq) % 11;
        }
        return new TokenBatch(run, seq, rows, rowLength, tokens, new int[rows][0], "synthetic",
                new TokenBatch.Lineage(0, seq, seq));
    }

    /** Sends synthetic batches {@code [from, to)} to partition 0 of {@code train.batches}, each acknowledged. */
    static void sendBatches(KafkaProducer<String, byte[]> producer, String run, int from, int to, int rows, int rowLength,
                            int vocab) throws Exception {
        for (int seq = from; seq < to; seq++) {
            producer.send(new ProducerRecord<>(Topics.TRAIN_BATCHES, 0, "0",
                    BatchCodec.encode(syntheticBatch(run, seq, rows, rowLength, vocab)))).get();
        }
    }

    /** Sends an IDLE (idle = true) or BUSY event of {@code worker} to {@code capacity.events}, acknowledged. */
    static void sendCapacity(KafkaProducer<String, byte[]> producer, String worker, String run, boolean idle) throws Exception {
        long now = System.currentTimeMillis();
        CapacityEvent event = idle
                ? new CapacityEvent.Idle(Schema.V1, worker, run, now, IdleReason.DATA_WAIT, 0)
                : new CapacityEvent.Busy(Schema.V1, worker, run, now, IdleReason.DATA_WAIT, 0);
        producer.send(new ProducerRecord<>(Topics.CAPACITY_EVENTS, worker, Json.write(event))).get();
    }
}
