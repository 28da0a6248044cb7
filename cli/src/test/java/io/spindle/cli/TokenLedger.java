package io.spindle.cli;

import io.spindle.contracts.Topics;
import io.spindle.contracts.batch.BatchCodec;
import io.spindle.contracts.batch.TokenBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Token conservation, the tokenizer's exactly-once contract: the tokens each input partition of
 * {@code corpus.documents} must yield (each accepted document's tokens and an EOS, in the order the broker
 * acknowledged them; an exact repeat within a partition is dropped by the tokenizer's dedup), and the check
 * of {@code train.batches} against them: each partition's batches arrive in order, once, and hold exactly
 * those tokens, up to the partial batch the tokenizer may still hold.
 */
final class TokenLedger {

    private final Function<String, int[]> encoder;
    private final int eos;
    private final Map<Integer, List<Integer>> expected = new TreeMap<>();
    private final Map<Integer, Set<String>> seenTexts = new HashMap<>();
    private int documents;
    private int duplicates;

    /** @param encoder the reference tokenizer, run here rather than in the service */
    TokenLedger(Function<String, int[]> encoder, int eos) {
        this.encoder = encoder;
        this.eos = eos;
    }

    /** A document the broker acknowledged on {@code partition}; returns false for an exact repeat there. */
    synchronized boolean acknowledged(int partition, String text) {
        documents++;
        if (!seenTexts.computeIfAbsent(partition, p -> new HashSet<>()).add(text)) {
            duplicates++;
            return false;
        }
        List<Integer> tokens = expected.computeIfAbsent(partition, p -> new ArrayList<>());
        for (int id : encoder.apply(text)) {
            tokens.add(id);
        }
        tokens.add(eos);
        return true;
    }

    synchronized int documents() {
        return documents;
    }

    synchronized int duplicates() {
        return duplicates;
    }

    /** What {@link #verify} read back. */
    record Check(long tokens, int partitions, int batches, Set<String> batchIds) {
    }

    /**
     * Reads {@code train.batches} and {@code corpus.rejected} with {@code consumer} (a fresh read_committed
     * group) until every full batch of every partition is there and {@code rejectsDone} holds; rejections go
     * to {@code onRejected}. Then nothing more may arrive within two seconds.
     */
    synchronized Check verify(KafkaConsumer<String, byte[]> consumer, int batchTokens, Duration timeout,
                              Consumer<ConsumerRecord<String, byte[]>> onRejected, BooleanSupplier rejectsDone) {
        ReadBack readBack = new ReadBack();
        consumer.subscribe(List.of(Topics.TRAIN_BATCHES, Topics.CORPUS_REJECTED));
        try {
            // In this thread: the consumer is this thread's, and the caller's rejectsDone may read this (locked) ledger.
            await("every full batch of " + documents + " documents").atMost(timeout).pollInSameThread().until(() -> {
                readBack.poll(consumer, onRejected);
                return expected.entrySet().stream().allMatch(e ->
                        readBack.tokens(e.getKey()).size() >= fullBatches(e.getValue().size(), batchTokens))
                        && rejectsDone.getAsBoolean();
            });
        } catch (ConditionTimeoutException e) {
            fail("not every expected record arrived within " + timeout + ": " + shortfall(readBack, batchTokens)
                    + (rejectsDone.getAsBoolean() ? "" : "rejections still missing"), e);
        }
        // Anything still in flight would be a repeated batch or rejection: give it a moment to show up.
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(2))) {
            fail("unexpected extra record on " + record.topic() + " after all expected ones");
        }
        long tokens = 0;
        for (Map.Entry<Integer, List<Integer>> e : expected.entrySet()) {
            List<Integer> actual = readBack.tokens(e.getKey());
            assertEquals(fullBatches(e.getValue().size(), batchTokens), actual.size(), "partition " + e.getKey());
            assertEquals(e.getValue().subList(0, actual.size()), actual,
                    "partition " + e.getKey() + ": every token once, in document order");
            tokens += actual.size();
        }
        assertEquals(expected.keySet(), readBack.packed.keySet(), "batches only for partitions that were fed");
        return new Check(tokens, readBack.packed.size(), readBack.batchIds.size(), readBack.batchIds);
    }

    /** What has been read back from {@code train.batches} so far, checked for order as it arrives. */
    private static final class ReadBack {
        final Map<Integer, List<Integer>> packed = new TreeMap<>();
        final Map<Integer, Long> nextSeq = new HashMap<>();
        final Set<String> batchIds = new HashSet<>();

        void poll(KafkaConsumer<String, byte[]> consumer, Consumer<ConsumerRecord<String, byte[]>> onRejected) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.topic().equals(Topics.CORPUS_REJECTED)) {
                    onRejected.accept(record);
                    continue;
                }
                TokenBatch batch = BatchCodec.decode(record.value());
                int partition = batch.lineage().partition();
                assertEquals(nextSeq.getOrDefault(partition, 0L), batch.seq(),
                        "partition " + partition + ": batches arrive in order, each once");
                nextSeq.put(partition, batch.seq() + 1);
                batchIds.add(partition + ":" + batch.seq());
                List<Integer> tokens = packed.computeIfAbsent(partition, p -> new ArrayList<>());
                for (int token : batch.tokens()) {
                    tokens.add(token);
                }
            }
        }

        List<Integer> tokens(int partition) {
            return packed.getOrDefault(partition, List.of());
        }
    }

    /** Per partition, tokens read back against the full batches expected: what a timeout leaves missing. */
    private String shortfall(ReadBack readBack, int batchTokens) {
        StringBuilder report = new StringBuilder();
        expected.forEach((partition, tokens) -> report.append(String.format("partition %d: %d of %d tokens; ",
                partition, readBack.tokens(partition).size(), fullBatches(tokens.size(), batchTokens))));
        return report.toString();
    }

    private static int fullBatches(int tokens, int batchTokens) {
        return tokens / batchTokens * batchTokens;
    }
}
