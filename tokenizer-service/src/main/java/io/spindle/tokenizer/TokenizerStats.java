package io.spindle.tokenizer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.spindle.contracts.Rejection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts of what this instance processed, for Prometheus ({@code /q/metrics}) and {@code /api/stats}.
 * Rates (documents/s, bytes/s, tokens/s) are Prometheus' {@code rate()} of the counters; consumer lag is
 * Kafka's own {@code kafka_consumer_fetch_manager_records_lag*} (bound in {@link KafkaStreamsMeters}).
 * A transaction that aborts is re-processed, so these counts can exceed what was committed; the topics
 * are the record of truth.
 */
@ApplicationScoped
public class TokenizerStats {

    private final Counter documents;
    private final Counter bytes;
    private final Counter tokens;
    private final Counter batches;
    private final Counter duplicates;
    private final Map<Rejection.Reason, Counter> rejectedByReason = new EnumMap<>(Rejection.Reason.class);
    private final AtomicLong rejected = new AtomicLong();
    /** Tokens written into batches, and the slots those batches had: their ratio is the packing efficiency. */
    private final AtomicLong packedTokens = new AtomicLong();
    private final AtomicLong packedSlots = new AtomicLong();

    public TokenizerStats(MeterRegistry registry) {
        documents = Counter.builder("spindle_tokenizer_documents").description("documents accepted").register(registry);
        bytes = Counter.builder("spindle_tokenizer_bytes").description("bytes of accepted documents").baseUnit("bytes")
                .register(registry);
        tokens = Counter.builder("spindle_tokenizer_tokens").description("tokens packed, EOS included").register(registry);
        batches = Counter.builder("spindle_tokenizer_batches").description("batches emitted").register(registry);
        duplicates = Counter.builder("spindle_tokenizer_duplicates").description("exact duplicates dropped")
                .register(registry);
        for (Rejection.Reason reason : Rejection.Reason.values()) {
            rejectedByReason.put(reason, registry.counter("spindle_tokenizer_rejected", "reason", reason.name()));
        }
        Gauge.builder("spindle_tokenizer_packing_efficiency", this, TokenizerStats::packingEfficiency)
                .description("share of batch slots holding real tokens (1.0: no padding)").register(registry);
    }

    void accepted(int tokenCount, int batchCount, int slotsPerBatch) {
        documents.increment();
        tokens.increment(tokenCount);
        batches.increment(batchCount);
        // Packing never pads: every slot of an emitted batch holds a document token.
        packedTokens.addAndGet((long) batchCount * slotsPerBatch);
        packedSlots.addAndGet((long) batchCount * slotsPerBatch);
    }

    void acceptedBytes(int byteCount) {
        bytes.increment(byteCount);
    }

    void rejected(Rejection.Reason reason) {
        rejectedByReason.get(reason).increment();
        rejected.incrementAndGet();
    }

    void duplicate() {
        duplicates.increment();
    }

    double packingEfficiency() {
        long slots = packedSlots.get();
        return slots == 0 ? 1.0 : packedTokens.get() / (double) slots;
    }

    public Snapshot snapshot() {
        Map<String, Long> reasons = new TreeMap<>();
        rejectedByReason.forEach((reason, counter) -> {
            if (counter.count() > 0) {
                reasons.put(reason.name(), (long) counter.count());
            }
        });
        return new Snapshot((long) documents.count(), (long) bytes.count(), (long) tokens.count(), (long) batches.count(),
                rejected.get(), (long) duplicates.count(), packingEfficiency(), reasons);
    }

    /** What {@code GET /api/stats} answers. */
    public record Snapshot(long documents, long bytes, long tokens, long batches, long rejected, long duplicates,
                           double packingEfficiency, Map<String, Long> rejectedByReason) {
    }
}
