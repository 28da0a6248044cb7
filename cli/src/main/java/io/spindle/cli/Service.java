package io.spindle.cli;

import java.nio.file.Path;
import java.util.List;

/** The processes a local Spindle runs, and where their runnable jars live in a built checkout. */
enum Service {
    KAFKA("kafka", "kafka-local/target/kafka-local-0.1.0-SNAPSHOT.jar", "-Xmx512m"),
    METRICS("metrics", "metrics-service/target/quarkus-app/quarkus-run.jar", "-Xmx384m"),
    // The throughput collector: the tokenizer is a batch pipeline where a pause of tens of ms goes unseen (it commits
    // once a second), and G1's concurrent marking and barriers cost it a fifth of its throughput (bench/run tokenizer,
    // docs/tokenizers.md). Its image sets the same (src/main/docker/Dockerfile.jvm), and so does the bench.
    TOKENIZER("tokenizer", "tokenizer-service/target/quarkus-app/quarkus-run.jar", "-Xmx512m", "-XX:+UseParallelGC"),
    TRAINER("trainer", "trainer-service/target/quarkus-app/quarkus-run.jar", "-Xmx768m"),
    DRAFTER("drafter", "drafter-service/target/quarkus-app/quarkus-run.jar", "-Xmx256m");

    /** The four Quarkus services, in start order: consumers of a topic before its producers. */
    static final List<Service> SERVICES = List.of(METRICS, DRAFTER, TRAINER, TOKENIZER);

    final String id;
    final String jar;
    /** Heap size, then any other JVM option the service runs with. */
    final List<String> jvmOptions;

    Service(String id, String jar, String... jvmOptions) {
        this.id = id;
        this.jar = jar;
        this.jvmOptions = List.of(jvmOptions);
    }

    Path jar(Path home) {
        return home.resolve(jar);
    }
}
