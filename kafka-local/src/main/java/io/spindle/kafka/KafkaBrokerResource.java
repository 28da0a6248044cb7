package io.spindle.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.spindle.contracts.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A Quarkus test resource that provides a real Kafka broker with the registry topics:
 * {@code @QuarkusTestResource(KafkaBrokerResource.class)} or {@code @WithTestResource(KafkaBrokerResource.class)}.
 *
 * <p>Which broker: a Testcontainers {@code apache/kafka:4.1.2} container when a Docker engine answers, otherwise
 * the in-process {@link EmbeddedKafkaBroker}. {@code spindle.kafka.testcontainers} (system property, or env
 * {@code SPINDLE_KAFKA_TESTCONTAINERS}, or init arg {@code testcontainers}) = {@code auto} (default),
 * {@code never} (always embedded) or {@code always} (fail without Docker).
 *
 * <p>Init args: {@code scram=true} starts an embedded broker that only accepts SASL/SCRAM-SHA-512 ({@code tls=true}:
 * only TLS, with a self-signed certificate) and passes the credentials (truststore) to the application as {@code kafka.*}, {@code kafka-streams.*} and connector settings (a
 * test reads them back with {@code @ConfigProperty}); {@code partitions.<topic>=N} overrides a registry topic's partition count (e.g.
 * {@code partitions.train.batches=1}); {@code broker.<key>=value} sets an embedded-broker property.
 *
 * <p>Config returned to Quarkus: {@code kafka.bootstrap.servers}, {@code quarkus.kafka-streams.bootstrap-servers},
 * {@code mp.messaging.connector.smallrye-kafka.bootstrap.servers}. Tests get the address with
 * {@code @ConfigProperty(name = "kafka.bootstrap.servers")}, an {@code @InjectKafkaBroker String} field, or
 * {@link #bootstrapServers()}.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerResource.class);

    public static final String MODE_PROPERTY = "spindle.kafka.testcontainers";
    public static final String MODE_ENV = "SPINDLE_KAFKA_TESTCONTAINERS";
    public static final String IMAGE = "apache/kafka:4.1.2";
    /** System property holding the address of the broker started last (readable from any class loader). */
    public static final String BOOTSTRAP_PROPERTY = "spindle.kafka.test.bootstrap.servers";

    private static final long DOCKER_CHECK_SECONDS = 20;

    private final Map<String, Integer> partitions = new LinkedHashMap<>();
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private String mode;
    private boolean scram;
    private boolean tls;
    private EmbeddedKafkaBroker embedded;
    private AutoCloseable container;
    private String bootstrap;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((k, v) -> {
            if (k.startsWith("partitions.")) {
                partitions.put(k.substring("partitions.".length()), Integer.parseInt(v.trim()));
            } else if (k.startsWith("broker.")) {
                brokerProperties.put(k.substring("broker.".length()), v);
            } else if (k.equals("scram")) {
                scram = Boolean.parseBoolean(v.trim());
            } else if (k.equals("tls")) {
                tls = Boolean.parseBoolean(v.trim());
            } else if (k.equals("testcontainers")) {
                mode = v;
            } else {
                LOG.warn("KafkaBrokerResource: unknown init arg {}", k);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        String m = mode();
        if (scram || tls) {
            return startEmbeddedSecured();
        }
        if (!m.equals("never") && (m.equals("always") || dockerAvailable())) {
            bootstrap = Containers.start(this);
            LOG.info("Kafka for tests: Testcontainers {} at {}", IMAGE, bootstrap);
        } else {
            EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().partitions(partitions);
            brokerProperties.forEach(builder::property);
            embedded = builder.start();
            bootstrap = embedded.bootstrapServers();
            LOG.info("Kafka for tests: embedded KRaft broker at {} (started in {} ms)", bootstrap,
                    embedded.startupTime().toMillis());
        }
        TopicCreator.createTopics(bootstrap, Topics.ALL, partitions);
        System.setProperty(BOOTSTRAP_PROPERTY, bootstrap);
        return Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka-streams.bootstrap-servers", bootstrap,
                "mp.messaging.connector.smallrye-kafka.bootstrap.servers", bootstrap);
    }

    /**
     * Init arg {@code scram=true}: an embedded broker that only accepts SASL/SCRAM-SHA-512 clients; {@code tls=true}:
     * one that only accepts TLS clients (a self-signed certificate made with keytool). The client settings are
     * handed to the application as configuration alone, for every kind of Kafka client it has.
     */
    private Map<String, String> startEmbeddedSecured() {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().partitions(partitions);
        if (scram) {
            builder.scram("spindle", UUID.randomUUID().toString(), Map.of());
        }
        if (tls) {
            try {
                builder.tls(TlsFiles.selfSigned(Files.createTempDirectory("spindle-kafka-tls-")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        brokerProperties.forEach(builder::property);
        embedded = builder.start();
        bootstrap = embedded.bootstrapServers();
        embedded.createRegistryTopics();
        System.setProperty(BOOTSTRAP_PROPERTY, bootstrap);
        Map<String, String> client = embedded.clientProperties();
        LOG.info("Kafka for tests: embedded KRaft broker with {} at {}", scram ? "SASL/SCRAM" : "TLS", bootstrap);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", bootstrap);
        config.put("quarkus.kafka-streams.bootstrap-servers", bootstrap);
        config.put("mp.messaging.connector.smallrye-kafka.bootstrap.servers", bootstrap);
        client.forEach((key, value) -> {
            config.put("kafka." + key, value);
            config.put("kafka-streams." + key, value);
            config.put("mp.messaging.connector.smallrye-kafka." + key, value);
        });
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(bootstrap,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaBroker.class, String.class));
        testInjector.injectIntoFields(embedded,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaBroker.class, EmbeddedKafkaBroker.class));
    }

    @Override
    public void stop() {
        try {
            if (embedded != null) {
                embedded.close();
            }
            if (container != null) {
                container.close();
            }
        } catch (Exception e) {
            LOG.warn("stopping Kafka: {}", e.toString());
        } finally {
            embedded = null;
            container = null;
            if (bootstrap != null && bootstrap.equals(System.getProperty(BOOTSTRAP_PROPERTY))) {
                System.clearProperty(BOOTSTRAP_PROPERTY);
            }
        }
    }

    /** The address of the broker this (or the last started) resource runs; null if none runs. */
    public static String bootstrapServers() {
        return System.getProperty(BOOTSTRAP_PROPERTY);
    }

    /** The embedded broker, or null when Testcontainers is used. */
    public EmbeddedKafkaBroker embeddedBroker() {
        return embedded;
    }

    private String mode() {
        String m = mode;
        if (m == null) {
            m = System.getProperty(MODE_PROPERTY);
        }
        if (m == null) {
            m = System.getenv(MODE_ENV);
        }
        m = m == null || m.isBlank() ? "auto" : m.trim().toLowerCase(Locale.ROOT);
        if (!m.equals("auto") && !m.equals("never") && !m.equals("always")) {
            throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, never or always; got " + m);
        }
        return m;
    }

    /**
     * True if Testcontainers is on the class path and finds a Docker engine. Never throws; gives up after
     * {@value #DOCKER_CHECK_SECONDS} s. Skips Testcontainers altogether when no Docker endpoint is configured
     * anywhere it would look (saves its error log and a few seconds).
     */
    static boolean dockerAvailable() {
        if (!dockerEndpointHinted()) {
            return false;
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docker-check");
            t.setDaemon(true);
            return t;
        });
        try {
            Callable<Boolean> check = Containers::dockerAvailable;
            Future<Boolean> result = executor.submit(check);
            return result.get(DOCKER_CHECK_SECONDS, TimeUnit.SECONDS);
        } catch (Throwable e) {
            LOG.debug("no Docker engine: {}", e.toString());
            return false;
        } finally {
            executor.shutdownNow();
        }
    }

    private static boolean dockerEndpointHinted() {
        if (System.getenv("DOCKER_HOST") != null || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null
                || System.getProperty("docker.host") != null) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        String[] candidates = {
            "/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock",
            home + "/.testcontainers.properties", home + "/.docker/run/docker.sock",
            home + "/.docker/desktop/docker.sock", home + "/.colima/default/docker.sock", home + "/.colima/docker.sock",
            home + "/.rd/docker.sock", home + "/.orbstack/run/docker.sock",
            runtime == null ? "" : runtime + "/docker.sock", runtime == null ? "" : runtime + "/podman/podman.sock",
        };
        for (String c : candidates) {
            if (!c.isEmpty() && Files.exists(Path.of(c))) {
                return true;
            }
        }
        return false;
    }

    /** Everything that touches Testcontainers; loaded only when used, so a missing jar is a catchable error. */
    private static final class Containers {

        static boolean dockerAvailable() {
            try {
                return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
            } catch (LinkageError | RuntimeException e) {
                LOG.debug("Testcontainers unusable: {}", e.toString());
                return false;
            }
        }

        static String start(KafkaBrokerResource owner) {
            org.testcontainers.kafka.KafkaContainer kafka = new org.testcontainers.kafka.KafkaContainer(IMAGE)
                    .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                    .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                    .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
            owner.brokerProperties.forEach((k, v) ->
                    kafka.withEnv("KAFKA_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), v));
            kafka.start();
            owner.container = kafka;
            String servers = kafka.getBootstrapServers();
            return servers.startsWith("PLAINTEXT://") ? servers.substring("PLAINTEXT://".length()) : servers;
        }
    }
}
