package io.spindle.cli;

import java.nio.file.Path;
import java.util.List;

/** The processes a local Spindle runs, and where their runnable jars live in a built checkout. */
enum Service {
    KAFKA("kafka", "kafka-local/target/kafka-local-0.1.0-SNAPSHOT.jar", "-Xmx512m"),
    METRICS("metrics", "metrics-service/target/quarkus-app/quarkus-run.jar", "-Xmx384m"),
    TOKENIZER("tokenizer", "tokenizer-service/target/quarkus-app/quarkus-run.jar", "-Xmx512m"),
    TRAINER("trainer", "trainer-service/target/quarkus-app/quarkus-run.jar", "-Xmx768m"),
    DRAFTER("drafter", "drafter-service/target/quarkus-app/quarkus-run.jar", "-Xmx256m");

    /** The four Quarkus services, in start order: consumers of a topic before its producers. */
    static final List<Service> SERVICES = List.of(METRICS, DRAFTER, TRAINER, TOKENIZER);

    final String id;
    final String jar;
    final String heap;

    Service(String id, String jar, String heap) {
        this.id = id;
        this.jar = jar;
        this.heap = heap;
    }

    Path jar(Path home) {
        return home.resolve(jar);
    }
}
