package io.spindle.kafka;

import io.spindle.contracts.Topics;
import io.spindle.contracts.Topics.TopicSpec;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller) running inside this JVM, built from
 * {@code kafka_2.13}'s public classes: the storage is formatted with {@link StorageTool} (skipped when the data
 * directory already holds a formatted log, so data survives a restart) and the node is a {@link KafkaRaftServer}.
 *
 * <p>It listens on 127.0.0.1 only. The defaults are set for one node: internal topics with replication factor 1
 * and min ISR 1 (so transactions and {@code exactly_once_v2} work), no initial rebalance delay, small internal
 * topics and thread pools for quick start-up on small machines.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().partitions("train.batches", 1).start()) {
 *     kafka.createRegistryTopics();
 *     String bootstrap = kafka.bootstrapServers(); // "127.0.0.1:41234"
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final boolean formatted;
    private final Duration startupTime;
    private final Map<String, Integer> partitionOverrides;
    private final ScramCredentials scram;
    private final TlsFiles tls;
    private volatile boolean closed;

    private EmbeddedKafkaBroker(ScramCredentials scram, TlsFiles tls, KafkaRaftServer server, int port, Path dataDir, boolean deleteDataDirOnClose,
                                boolean formatted, Duration startupTime, Map<String, Integer> partitionOverrides) {
        this.scram = scram;
        this.tls = tls;
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.formatted = formatted;
        this.startupTime = startupTime;
        this.partitionOverrides = Map.copyOf(partitionOverrides);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker on a free port with a temporary data directory (deleted on close). */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** True when this start formatted the data directory; false when it reused an existing log. */
    public boolean formattedOnStart() {
        return formatted;
    }

    /** Wall time from {@link Builder#start()} until the broker was unfenced and serving. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Partition overrides given to the builder; used by {@link #createRegistryTopics()}. */
    public Map<String, Integer> partitionOverrides() {
        return partitionOverrides;
    }

    /**
     * Client settings needed to talk to this broker besides {@code bootstrap.servers}: empty for a plain
     * broker; the SCRAM admin's {@code security.protocol}, {@code sasl.mechanism} and {@code sasl.jaas.config}
     * when the broker was built with {@link Builder#scram}; {@code security.protocol=SSL} and the truststore
     * when it was built with {@link Builder#tls}.
     */
    public Map<String, String> clientProperties() {
        if (tls != null) {
            return tls.clientProperties();
        }
        return scram == null ? Map.of() : scram.clientProperties(scram.adminUser(), scram.adminPassword());
    }

    /** Client settings for one of the SCRAM users given to the builder; empty for a plain broker. */
    public Map<String, String> clientProperties(String user, String password) {
        return scram == null ? Map.of() : scram.clientProperties(user, password);
    }

    /** Creates the topics (idempotent: existing ones are kept, grown if they have fewer partitions). */
    public void createTopics(Collection<TopicSpec> specs) {
        createTopics(specs, Map.of());
    }

    /** As {@link #createTopics(Collection)}; {@code partitionOverrides} maps topic name to partition count. */
    public void createTopics(Collection<TopicSpec> specs, Map<String, Integer> partitionOverrides) {
        TopicCreator.createTopics(bootstrapServers(), clientProperties(), specs, partitionOverrides);
    }

    /** Creates every topic of {@link Topics#ALL}, with the builder's partition overrides. */
    public void createRegistryTopics() {
        createTopics(Topics.ALL, partitionOverrides);
    }

    /** Creates every topic of {@link Topics#ALL}; {@code partitionOverrides} are added to the builder's. */
    public void createRegistryTopics(Map<String, Integer> partitionOverrides) {
        Map<String, Integer> merged = new LinkedHashMap<>(this.partitionOverrides);
        merged.putAll(partitionOverrides);
        createTopics(Topics.ALL, merged);
    }

    /** Shuts the broker down and waits for it; deletes the data directory if it was a temporary one. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteDataDirOnClose) {
                deleteRecursively(dataDir);
            }
        }
        LOG.info("Kafka at {} stopped in {} ms", bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
    }

    /** Options for a broker. Every method returns this builder. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private boolean quietLogging = true;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, Integer> partitionOverrides = new LinkedHashMap<>();
        private ScramCredentials scram;
        private TlsFiles tls;

        private Builder() {
        }

        /**
         * Clients must connect over TLS: the client listener becomes SSL with this keystore, and a client
         * needs {@code security.protocol=SSL} and the truststore ({@link TlsFiles#clientProperties()}).
         * Not combinable with {@link #scram} here (SASL_SSL); a real cluster does both by configuration.
         */
        public Builder tls(TlsFiles tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Clients must authenticate with SASL/SCRAM-SHA-512: the client listener becomes SASL_PLAINTEXT and
         * the users are created when the storage is formatted. {@code users} maps name to password and must
         * hold the admin, which the broker itself and {@link #createTopics} use. A client without valid
         * credentials is refused.
         */
        public Builder scram(String adminUser, String adminPassword, Map<String, String> users) {
            this.scram = new ScramCredentials(adminUser, adminPassword, users);
            return this;
        }

        /** Broker (client) port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Data directory. Formatted on first use, reused as it is when it already holds {@code meta.properties},
         * and kept on close. Without one, a temporary directory is used and deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Any broker property; overrides the defaults (listeners and node settings excepted). */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** Partition count for {@code topic} when registry topics are created ({@link #createRegistryTopics()}). */
        public Builder partitions(String topic, int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions for " + topic + " must be >= 1");
            }
            partitionOverrides.put(topic, partitions);
            return this;
        }

        public Builder partitions(Map<String, Integer> overrides) {
            overrides.forEach(this::partitions);
            return this;
        }

        /** Sets Kafka's broker-side loggers to WARN (the default: true). Client loggers are left alone. */
        public Builder quietLogging(boolean quiet) {
            this.quietLogging = quiet;
            return this;
        }

        /** Formats storage if needed, starts the broker and waits until it serves clients. */
        public EmbeddedKafkaBroker start() {
            if (tls != null && scram != null) {
                throw new IllegalStateException("the embedded broker takes either tls or scram, not both");
            }
            if (quietLogging) {
                KafkaLogging.quietBroker();
            }
            long t0 = System.nanoTime();
            if (port != 0 && !portFree(port)) {
                // Kafka binds the client port last, after seconds of start-up: fail fast instead.
                throw new IllegalStateException("port " + port + " on " + HOST + " is already in use"
                        + " (another Kafka running?)");
            }
            boolean temporary = dataDir == null;
            Path dir;
            try {
                dir = temporary ? Files.createTempDirectory("spindle-kafka-") : dataDir.toAbsolutePath();
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create Kafka data dir", e);
            }
            RuntimeException last = null;
            // A free port found by binding port 0 may be taken by someone else before Kafka binds it: retry.
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                int brokerPort = port != 0 ? port : freePort();
                int controllerPort = freePort();
                while (controllerPort == brokerPort) {
                    controllerPort = freePort();
                }
                Properties props = config(dir, brokerPort, controllerPort);
                KafkaRaftServer server = null;
                try {
                    boolean formatted = formatIfNeeded(dir, props, scram);
                    server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
                    server.startup();
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    LOG.info("Kafka ready at {}:{} in {} ms ({} data dir {})", HOST, brokerPort, took.toMillis(),
                            formatted ? "formatted" : "reused", dir);
                    return new EmbeddedKafkaBroker(scram, tls, server, brokerPort, dir, temporary, formatted, took,
                            partitionOverrides);
                } catch (RuntimeException e) {
                    last = e;
                    if (server != null) {
                        try {
                            server.shutdown();
                            server.awaitShutdown();
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                    }
                    if (!causedByBind(e)) {
                        break;
                    }
                    LOG.warn("Kafka could not bind (attempt {}): {}", attempt, e.toString());
                }
            }
            if (temporary) {
                deleteRecursively(dir);
            }
            throw new IllegalStateException("embedded Kafka failed to start: " + last, last);
        }

        private Properties config(Path dir, int brokerPort, int controllerPort) {
            Properties p = new Properties();
            // Single-node tuning first, so explicit properties can override it.
            p.put("num.partitions", "1");
            p.put("default.replication.factor", "1");
            p.put("min.insync.replicas", "1");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("transaction.state.log.num.partitions", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            // The log cleaner's dedupe buffer is allocated on the heap: 128 MB by default.
            p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
            p.put("num.network.threads", "2");
            p.put("num.io.threads", "4");
            p.put("background.threads", "4");
            p.put("num.recovery.threads.per.data.dir", "1");
            p.put("log.flush.offset.checkpoint.interval.ms", "5000");
            p.putAll(properties);
            // Node identity and listeners: fixed.
            p.put("process.roles", "broker,controller");
            p.put("node.id", String.valueOf(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
            String client = scram != null ? "SASL_PLAINTEXT" : tls != null ? "SSL" : "PLAINTEXT";
            p.put("listeners", client + "://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
            p.put("advertised.listeners", client + "://" + HOST + ":" + brokerPort);
            p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT");
            p.put("controller.listener.names", "CONTROLLER");
            p.put("inter.broker.listener.name", client);
            if (scram != null) {
                p.putAll(scram.brokerProperties());
            }
            if (tls != null) {
                p.putAll(tls.brokerProperties());
            }
            p.put("log.dirs", dir.toString());
            return p;
        }
    }

    /** Formats {@code dir} with StorageTool unless it holds a formatted log already. Returns true if it formatted. */
    private static boolean formatIfNeeded(Path dir, Properties props, ScramCredentials scram) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return false;
        }
        Path configFile = null;
        try {
            configFile = Files.createTempFile("spindle-kafka-", ".properties");
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "spindle embedded kafka");
            }
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream printStream = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            String clusterId = Uuid.randomUuid().toString();
            List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", configFile.toString()));
            if (scram != null) {
                args.addAll(scram.formatArguments());
            }
            int rc = StorageTool.execute(args.toArray(String[]::new), printStream);
            if (rc != 0) {
                throw new IllegalStateException("kafka-storage format exited with " + rc + ": "
                        + buffer.toString(StandardCharsets.UTF_8));
            }
            LOG.debug("formatted {}: {}", dir, buffer.toString(StandardCharsets.UTF_8).trim());
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException ignored) {
                    // a stray temp file
                }
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // like Kafka: a port in TIME_WAIT is usable
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean causedByBind(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException || String.valueOf(c.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
