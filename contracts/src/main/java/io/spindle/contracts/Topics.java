package io.spindle.contracts;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one registry of Spindle's topics. Every service, the local broker, compose and k8s manifests take
 * names, partition counts, compaction and retention from here, so they cannot drift apart.
 */
public final class Topics {

    public static final String CORPUS_DOCUMENTS = "corpus.documents";
    public static final String CORPUS_REJECTED = "corpus.rejected";
    public static final String TRAIN_BATCHES = "train.batches";
    public static final String TRAIN_METRICS = "train.metrics";
    public static final String TRAIN_CHECKPOINTS = "train.checkpoints";
    public static final String CAPACITY_EVENTS = "capacity.events";
    public static final String DRAFTER_METRICS = "drafter.metrics";
    public static final String DRAFTER_CHECKPOINTS = "drafter.checkpoints";

    /**
     * How a topic is created.
     *
     * @param name       topic name
     * @param partitions partition count; the unit of parallelism for its consumers
     * @param compacted  true for "latest value per key" topics such as checkpoint announcements
     * @param retention  how long records are kept; empty means forever (compacted topics)
     * @param maxMessageBytes the topic's {@code max.message.bytes}; empty keeps the broker's (about 1 MiB)
     */
    public record TopicSpec(String name, int partitions, boolean compacted, Optional<Duration> retention,
                            OptionalInt maxMessageBytes) {

        public TopicSpec(String name, int partitions, boolean compacted, Optional<Duration> retention) {
            this(name, partitions, compacted, retention, OptionalInt.empty());
        }

        /** Kafka topic-level configs that express this spec. */
        public Map<String, String> configs() {
            Map<String, String> configs = new TreeMap<>();
            configs.put("cleanup.policy", compacted ? "compact" : "delete");
            configs.put("retention.ms", String.valueOf(retention.map(Duration::toMillis).orElse(-1L)));
            maxMessageBytes.ifPresent(bytes -> configs.put("max.message.bytes", String.valueOf(bytes)));
            return Collections.unmodifiableMap(configs);
        }
    }

    /**
     * The largest record {@code corpus.documents} takes. Documents are big (the tokenizer accepts up to 8 MiB
     * by default and rejects larger ones as TOO_LARGE), so the topic raises the broker's 1 MiB default; a
     * record above this is refused to its producer by the broker (RecordTooLargeException).
     */
    public static final int DOCUMENT_RECORD_MAX_BYTES = 32 << 20;

    /** {@code corpus.rejected} takes any document back, plus the rejection headers. */
    public static final int REJECTED_RECORD_MAX_BYTES = DOCUMENT_RECORD_MAX_BYTES + (1 << 20);

    private static final Duration WEEK = Duration.ofDays(7);

    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(CORPUS_DOCUMENTS, 4, false, Optional.of(WEEK), OptionalInt.of(DOCUMENT_RECORD_MAX_BYTES)),
            new TopicSpec(CORPUS_REJECTED, 1, false, Optional.of(Duration.ofDays(30)), OptionalInt.of(REJECTED_RECORD_MAX_BYTES)),
            new TopicSpec(TRAIN_BATCHES, 4, false, Optional.of(WEEK)),
            new TopicSpec(TRAIN_METRICS, 1, false, Optional.of(Duration.ofDays(30))),
            new TopicSpec(TRAIN_CHECKPOINTS, 1, true, Optional.empty()),
            new TopicSpec(CAPACITY_EVENTS, 1, false, Optional.of(WEEK)),
            new TopicSpec(DRAFTER_METRICS, 1, false, Optional.of(Duration.ofDays(30))),
            new TopicSpec(DRAFTER_CHECKPOINTS, 1, true, Optional.empty()));

    private static final Map<String, TopicSpec> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(TopicSpec::name, Function.identity()));

    public static TopicSpec spec(String name) {
        TopicSpec spec = BY_NAME.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown topic '" + name + "'; known: " + BY_NAME.keySet());
        }
        return spec;
    }

    private Topics() {
    }
}
