package io.spindle.tokenizer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spindle.contracts.Rejection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts of what this instance processed, for Prometheus and {@code /api/stats}. A transaction that aborts
 * is re-processed, so these counts can exceed what was committed; the topics are the record of truth.
 */
@ApplicationScoped
public class TokenizerStats {

    private final Counter documents;
    private final Counter tokens;
    private final Counter batches;
    private final Map<Rejection.Reason, Counter> rejectedByReason = new EnumMap<>(Rejection.Reason.class);
    private final AtomicLong rejected = new AtomicLong();

    public TokenizerStats(MeterRegistry registry) {
        documents = registry.counter("spindle_tokenizer_documents");
        tokens = registry.counter("spindle_tokenizer_tokens");
        batches = registry.counter("spindle_tokenizer_batches");
        for (Rejection.Reason reason : Rejection.Reason.values()) {
            rejectedByReason.put(reason, registry.counter("spindle_tokenizer_rejected", "reason", reason.name()));
        }
    }

    void accepted(int tokenCount, int batchCount) {
        documents.increment();
        tokens.increment(tokenCount);
        batches.increment(batchCount);
    }

    void rejected(Rejection.Reason reason) {
        rejectedByReason.get(reason).increment();
        rejected.incrementAndGet();
    }

    public Snapshot snapshot() {
        Map<String, Long> reasons = new java.util.TreeMap<>();
        rejectedByReason.forEach((reason, counter) -> {
            if (counter.count() > 0) {
                reasons.put(reason.name(), (long) counter.count());
            }
        });
        return new Snapshot((long) documents.count(), (long) tokens.count(), (long) batches.count(), rejected.get(), reasons);
    }

    /** What {@code GET /api/stats} answers. */
    public record Snapshot(long documents, long tokens, long batches, long rejected, Map<String, Long> rejectedByReason) {
    }
}
